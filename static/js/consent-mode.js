// Google Consent Mode v2, from the same choice as the banner: every type is
// denied by default, then updated from the visitor's current choice and again
// when consent.js records a new one. Rendered only when the registry declares
// a Google tag; data-types maps each consent type to a registry category.
(function () {
  var s = document.currentScript, w = window;
  var types = JSON.parse(s.getAttribute("data-types"));
  w.dataLayer = w.dataLayer || [];
  w.gtag = w.gtag || function () { w.dataLayer.push(arguments); };
  function state(categories) {
    var o = {};
    for (var k in types) o[k] = categories.indexOf(types[k]) < 0 ? "denied" : "granted";
    return o;
  }
  var d = state([]);
  d.wait_for_update = 500;
  w.gtag("consent", "default", d);
  if (s.hasAttribute("data-decided")) w.gtag("consent", "update", state((s.getAttribute("data-granted") || "").split(" ")));
  w.ppConsentMode = function (categories) { w.gtag("consent", "update", state(categories)); };
})();
