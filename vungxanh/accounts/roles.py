"""Roles a user can hold at an area or an organization, and what each role may do.

Permissions are named "<app>.<verb>". Reading non-public data needs only a role somewhere above it;
changing it needs a role that carries the permission, held at an area or organization whose scope
covers the object.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    CHAIRMAN = "chairman", _("Chairman of the People's Committee")
    STANDING_AGENCY = "standing_agency", _("Steering committee / standing agency")
    AREA_OFFICER = "area_officer", _("Area officer")
    HEALTH = "health", _("Health officer")
    EMULATION = "emulation", _("Emulation office")
    TEAM_LEADER = "team_leader", _("Self-management team leader")
    TEAM_MEMBER = "team_member", _("Self-management team member")
    ORG_REPRESENTATIVE = "org_rep", _("Organization representative")
    MARKET_SURVEILLANCE = "market_surveillance", _("Market surveillance")
    POLICE = "police", _("Police")


MANAGE_AREAS = "areas.manage"  # create and import villages, set populations, load boundaries
MANAGE_ORGANIZATIONS = "areas.manage_organizations"
MANAGE_USERS = "accounts.manage_users"
VIEW_AUDIT = "accounts.view_audit"
ENTER_CASES = "risk.enter_cases"  # cases, vaccine coverage, treatment capacity
OVERRIDE_LEVELS = "risk.override"  # set a level by hand, with reason and decision
EDIT_RULES = "risk.edit_rules"  # draft and publish ruleset versions
MANAGE_TEAMS = "teams.manage"  # found teams, add members, set founding deadlines
KEEP_REGISTER = "teams.register"  # register people, record checks, escalate, close entries
VIEW_PERSONAL = "teams.view_personal"  # read the names and identifiers of monitored people
RECEIVE_ALERTS = "teams.alerts"  # absconded people of the area
ASSESS_SAFETY = "criteria.assess"  # fill in and submit a unit's safety self-assessment
VERIFY_SAFETY = "criteria.verify"  # verify, correct or return the assessments of units below
EDIT_CRITERIA = "criteria.edit_sets"  # draft, import and publish criteria set versions
ANNOUNCE_SAFE = "criteria.announce"  # announce safe villages and residential groups
MANAGE_EMULATION = "emulation.manage"  # launch campaigns, accept registrations, score, review
REGISTER_EMULATION = "emulation.register"  # register a unit for a campaign, with its pledges
PROPOSE_AWARDS = "awards.propose"  # nominate and send dossiers from the unit or area
REVIEW_DOSSIERS = "awards.review"  # a step of the review chain: accept, return or forward
GRANT_AWARDS = "awards.grant"  # record the decision that grants awards

PERMISSIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset({MANAGE_AREAS, MANAGE_ORGANIZATIONS, MANAGE_USERS, VIEW_AUDIT}),
    Role.CHAIRMAN: frozenset({VIEW_AUDIT, GRANT_AWARDS, PROPOSE_AWARDS, REVIEW_DOSSIERS}),
    Role.STANDING_AGENCY: frozenset(
        {
            MANAGE_AREAS,
            MANAGE_ORGANIZATIONS,
            VIEW_AUDIT,
            MANAGE_TEAMS,
            VERIFY_SAFETY,
            ANNOUNCE_SAFE,
            MANAGE_EMULATION,
            PROPOSE_AWARDS,
            REVIEW_DOSSIERS,
        }
    ),
    Role.AREA_OFFICER: frozenset(
        {
            MANAGE_AREAS,
            MANAGE_ORGANIZATIONS,
            VIEW_AUDIT,
            MANAGE_TEAMS,
            KEEP_REGISTER,
            VIEW_PERSONAL,
            ASSESS_SAFETY,
            VERIFY_SAFETY,
            REGISTER_EMULATION,
            PROPOSE_AWARDS,
        }
    ),
    Role.HEALTH: frozenset(
        {
            VIEW_AUDIT,
            ENTER_CASES,
            OVERRIDE_LEVELS,
            EDIT_RULES,
            KEEP_REGISTER,
            VIEW_PERSONAL,
            VERIFY_SAFETY,
            EDIT_CRITERIA,
            ANNOUNCE_SAFE,
            PROPOSE_AWARDS,
        }
    ),
    Role.EMULATION: frozenset({VIEW_AUDIT, MANAGE_EMULATION, REVIEW_DOSSIERS}),
    Role.TEAM_LEADER: frozenset({KEEP_REGISTER, VIEW_PERSONAL, ASSESS_SAFETY}),
    Role.TEAM_MEMBER: frozenset({KEEP_REGISTER, VIEW_PERSONAL}),
    Role.ORG_REPRESENTATIVE: frozenset({ASSESS_SAFETY, REGISTER_EMULATION, PROPOSE_AWARDS}),
    Role.MARKET_SURVEILLANCE: frozenset(),
    Role.POLICE: frozenset({RECEIVE_ALERTS}),
}

# Some permissions reach only from assignments at certain tiers: an area officer reads personal
# data of the commune (or village) they serve, not of a whole district (Decree 13/2023: minimum).
TIER_LIMITS: dict[tuple[str, str], frozenset[str]] = {
    (Role.AREA_OFFICER, VIEW_PERSONAL): frozenset({"commune", "village"}),
    (Role.AREA_OFFICER, KEEP_REGISTER): frozenset({"commune", "village"}),
}


def roles_with(permission: str) -> list[str]:
    return [role for role, perms in PERMISSIONS.items() if permission in perms]
