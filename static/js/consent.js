// Enhances the server-rendered cookie banner, which works without this file:
// Customise opens its panel in place, a choice is posted without a reload,
// the banner goes away and the gated scripts the choice covers start. No
// framework, no inline script (the CSP forbids them). Budget: 1.5 KB gzip.
(function () {
  var banner = document.querySelector("[data-consent-banner]");
  if (!banner) return;
  var form = banner.querySelector("form");
  var more = banner.querySelector("[data-consent-customise]");
  var panel = document.getElementById("consent-customise");
  var fallback = false;

  more.setAttribute("aria-expanded", "false");
  more.addEventListener("click", function (e) {
    e.preventDefault();
    var open = panel.hidden;
    panel.hidden = !open;
    more.setAttribute("aria-expanded", String(open));
    if (open) panel.querySelector("input:not([disabled])").focus();
  });

  // Turn the inert copies of the scripts a choice covers into live ones.
  // 'strict-dynamic' lets a trusted script add scripts; the nonce is copied too.
  function activate(categories) {
    document.querySelectorAll('script[type="text/plain"][data-category]').forEach(function (old) {
      if (categories.indexOf(old.getAttribute("data-category")) < 0) return;
      var s = document.createElement("script");
      s.src = old.dataset.src;
      s.nonce = old.nonce;
      s.setAttribute("data-category", old.getAttribute("data-category"));
      old.replaceWith(s);
    });
    if (window.ppConsentMode) window.ppConsentMode(categories);
  }

  form.addEventListener("submit", function (e) {
    var button = e.submitter;
    if (fallback || !button || button.name !== "action") return;
    e.preventDefault();
    // getAttribute: the buttons are named "action", which shadows form.action.
    fetch(form.getAttribute("action"), {
      method: "POST",
      body: new URLSearchParams(new FormData(form, button)),
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.json();
      })
      .then(function (d) {
        banner.hidden = true;
        activate(d.categories || []);
        var main = document.getElementById("main");
        if (main) main.focus();
      })
      .catch(function () {
        // Let the browser post the form itself: it shows the server's answer.
        fallback = true;
        form.requestSubmit(button);
      });
  });
})();
