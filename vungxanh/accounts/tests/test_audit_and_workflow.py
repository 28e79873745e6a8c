import pytest
from django.db import transaction

from vungxanh.accounts.audit import AuditOutsideTransaction, record_audit
from vungxanh.accounts.models import AuditEvent
from vungxanh.accounts.workflow import Conflict, transition
from vungxanh.areas.models import Area


@pytest.mark.django_db(transaction=True)
def test_an_audit_row_outside_a_transaction_is_refused(khanh_hoa):
    with pytest.raises(AuditOutsideTransaction):
        record_audit(None, "update", khanh_hoa, area_path=khanh_hoa.path)


@pytest.mark.django_db
def test_a_guarded_transition_moves_once_and_the_second_actor_gets_a_conflict(personas):
    # Any row with a status-like field will do; the type of an area stands in for one here.
    village = Area.objects.create(
        code="T-1",
        name="T",
        type="thon",
        level=4,
        parent=Area.objects.get(code="22327"),
        path="/56/568/22327/T-1/",
    )
    stale = Area.objects.get(pk=village.pk)
    transition(
        village,
        field="type",
        old="thon",
        new="buon",
        actor=personas.commune_a,
        area_path=village.path,
        note="đổi loại",
    )
    with pytest.raises(Conflict):
        transition(
            stale,
            field="type",
            old="thon",
            new="ap",
            actor=personas.commune_b,
            area_path=village.path,
        )
    assert Area.objects.get(pk=village.pk).type == "buon"
    events = AuditEvent.objects.filter(object_id=str(village.pk), verb="transition")
    assert [(e.actor, e.before, e.after) for e in events] == [
        (personas.commune_a, {"type": "thon"}, {"type": "buon"})
    ]


@pytest.mark.django_db
def test_a_failed_change_leaves_no_audit_row(personas):
    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        record_audit(personas.province, "update", personas.business_org, area_path="/56/")
        raise RuntimeError("the change failed after auditing")
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_the_audit_page_shows_only_events_in_scope(personas):
    from conftest import client_for

    page_a = client_for(personas.commune_a).get("/nhat-ky/").content.decode()
    page_b = client_for(personas.commune_b).get("/nhat-ky/").content.decode()
    # The business in commune A was created in the fixture, with an audit row at A's path.
    assert "Công ty Thử nghiệm" in page_a
    assert "Công ty Thử nghiệm" not in page_b
