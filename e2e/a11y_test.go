package e2e

import (
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// axeResult is the part of axe-core's report the test reads.
type axeResult struct {
	Violations []struct {
		ID     string `json:"id"`
		Impact string `json:"impact"`
		Help   string `json:"help"`
		Nodes  []struct {
			Target []any `json:"target"`
		} `json:"nodes"`
	} `json:"violations"`
	Passes []struct {
		ID string `json:"id"`
	} `json:"passes"`
}

// axe-core (npm), injected into chromium, finds no serious or critical
// violation on the public pages with the banner open, and on the settings
// page with the banner's customise panel open too.
func TestAccessibilityWithBannerOpen(t *testing.T) {
	src, err := os.ReadFile("../node_modules/axe-core/axe.min.js")
	if err != nil {
		t.Fatalf("axe-core missing (npm ci installs it): %v", err)
	}
	s := startSite(t)
	ctx := browser(t, true, 1280)
	var paths []string
	for _, lang := range []string{"/fr", "/en"} { // the French pages are checked as the English ones
		for _, path := range []string{"/", "/privacy", "/cookies", "/cookies/preferences", "/privacy/versions", "/contact", "/privacy with customise open"} {
			paths = append(paths, lang+path)
		}
	}
	for _, path := range paths {
		t.Run(path, func(t *testing.T) {
			navigate(t, ctx, s, strings.Fields(path)[0])
			if !present(t, ctx, bannerOpen) {
				t.Fatal("banner not open")
			}
			if strings.HasSuffix(path, "open") {
				must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#consent-banner [data-consent-customise]`))))
				waitFor(t, ctx, `!document.querySelector("#consent-customise").hidden`)
			}
			_, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](string(src)))
			must(t, err)
			res, err := chromedp.Run(ctx, chromedp.Evaluate[axeResult](
				`axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]}})`,
				chromedp.EvalAwaitPromise))
			must(t, err)
			if len(res.Passes) < 10 {
				t.Fatalf("axe checked only %d rules: did it run?", len(res.Passes))
			}
			for _, v := range res.Violations {
				if v.Impact == "serious" || v.Impact == "critical" {
					t.Errorf("%s (%s): %s at %v", v.ID, v.Impact, v.Help, v.Nodes)
				} else {
					t.Logf("minor: %s (%s): %s", v.ID, v.Impact, v.Help)
				}
			}
		})
	}
}
