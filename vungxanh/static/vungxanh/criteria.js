// The assessment form's live score: every change asks the scoring API (which stores nothing)
// and shows points, percentage, criteria passed and the rating. Without JavaScript, "Save"
// scores on the server.
(function () {
  "use strict";
  var form = document.getElementById("assess-form");
  var card = document.getElementById("score");
  if (!form || !card) return;
  var ratings = JSON.parse(document.getElementById("ratings").textContent);
  var token = form.querySelector("[name=csrfmiddlewaretoken]");
  var pending = null;

  function answers() {
    var out = {};
    form.querySelectorAll("[name^='c-']").forEach(function (el) {
      var number = el.name.slice(2);
      if (el.type === "radio" && !el.checked) return;
      if (el.value === "") return;
      out[number] = el.value;
    });
    return out;
  }

  function show(key, value) {
    var el = card.querySelector("[data-k='" + key + "']");
    if (el) el.textContent = value;
    return el;
  }

  function fmt(n) {
    return (Math.round(n * 100) / 100).toLocaleString("vi-VN");
  }

  function update(result) {
    show("points", fmt(result.points));
    show("max_points", fmt(result.max_points));
    show("percent", fmt(result.percent));
    show("passed", result.passed);
    var rating = ratings[result.rating] || { label: result.rating, allows: "" };
    var badge = show("rating", rating.label);
    badge.classList.toggle("safe", result.safe);
    badge.classList.toggle("unsafe", !result.safe);
    show("allows", rating.allows);
    card.querySelector("[data-k='error']").hidden = true;
    result.criteria.forEach(function (c) {
      var row = document.getElementById("c-" + c.number);
      if (!row) return;
      row.classList.toggle("failed", c.passed === false);
      var pts = row.querySelector(".pts");
      if (pts && c.passed === null) pts.textContent = fmt(c.points) + " " + (pts.dataset.unit || "đ");
    });
  }

  function score() {
    if (pending) pending.abort();
    pending = new AbortController();
    fetch(form.dataset.scoreUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token ? token.value : "" },
      body: JSON.stringify({ answers: answers(), version: Number(form.dataset.version) }),
      signal: pending.signal,
      credentials: "same-origin",
    })
      .then(function (r) { return r.json().then(function (body) { return [r.ok, body]; }); })
      .then(function (pair) {
        if (pair[0]) return update(pair[1]);
        var err = show("error", pair[1].error ? pair[1].error.message : "");
        if (err) err.hidden = false;
      })
      .catch(function () { /* aborted by a newer change, or offline: Save still scores */ });
  }

  form.addEventListener("change", score);
  form.addEventListener("input", function (e) { if (e.target.type === "number") score(); });
})();
