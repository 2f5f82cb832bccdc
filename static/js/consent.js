// Enhances the cookie banner, which works without it: Customise opens its panel in place, a choice
// is posted without a reload, then the banner goes and the scripts it allows start (same nonce;
// 'strict-dynamic' lets them load). Each click gets its own key: a retry is stored once.
// No framework, no inline script (CSP). Budget: 1 KB gzip.
(function (d) {
  var b = d.querySelector("[data-consent-banner]");
  if (!b) return;
  var f = b.querySelector("form"), m = b.querySelector("[data-consent-customise]"),
    p = d.getElementById("consent-customise"), fb = 0;
  m.setAttribute("aria-expanded", "false");
  m.addEventListener("click", function (e) {
    e.preventDefault();
    var o = p.hidden;
    p.hidden = !o;
    m.setAttribute("aria-expanded", String(o));
    if (o) p.querySelector("input:not([disabled])").focus();
  });
  f.addEventListener("submit", function (e) {
    var t = e.submitter;
    if (fb || !t || t.name !== "action") return;
    f._idem.value = crypto.randomUUID();
    e.preventDefault();
    // getAttribute: the buttons named "action" mask form.action.
    fetch(f.getAttribute("action"), {
      method: "POST", body: new URLSearchParams(new FormData(f, t)),
      credentials: "same-origin", headers: { Accept: "application/json" }
    }).then(function (r) {
      if (!r.ok) throw r.status;
      return r.json();
    }).then(function (j) {
      var c = j.categories || [], n = d.getElementById("main");
      b.hidden = true;
      d.querySelectorAll('script[type="text/plain"][data-category]').forEach(function (o) {
        var k = o.getAttribute("data-category"), s;
        if (c.indexOf(k) < 0) return;
        s = d.createElement("script");
        s.src = o.dataset.src;
        s.nonce = o.nonce;
        s.setAttribute("data-category", k);
        o.replaceWith(s);
      });
      if (window.ppConsentMode) window.ppConsentMode(c);
      if (n) n.focus();
    }).catch(function () {
      // The browser posts the form itself and shows the server's answer.
      fb = 1;
      f.requestSubmit(t);
    });
  });
})(document);
