package handlers

import (
	"log/slog"
	"net/http"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/alegria/privacy-portal/policy"
	"github.com/alegria/privacy-portal/views"
)

// policyHistory serves the published versions of the policy: the list, each
// past version as it read, and what changed from one version to the next.
// Everything comes from the registry and its snapshots, so it is rendered
// once, at start-up.
type policyHistory struct {
	list    templ.Component
	past    map[string]templ.Component // version → its privacy page
	changes map[string]templ.Component // version → what changed from the previous one
}

func newPolicyHistory(reg *policy.Registry, log *slog.Logger) *policyHistory {
	h := &policyHistory{past: map[string]templ.Component{}, changes: map[string]templ.Component{}}
	lv := views.PolicyVersionsView{Current: reg.Version, Versions: reg.Versions(), Previous: map[string]string{}}
	regs := map[string]*policy.Registry{}
	for _, v := range reg.History {
		r, err := reg.PolicyAt(v.Version) // every snapshot was checked when the registry loaded
		if err != nil {
			log.Error("a past version of the policy cannot be read", "version", v.Version, "error", err)
			continue
		}
		regs[v.Version] = r
		if v.Version != reg.Version {
			h.past[v.Version] = frozen(views.PastPolicy(v, reg.Version, views.PrivacyContent(r)), log)
		}
	}
	for i := 1; i < len(reg.History); i++ {
		prev, v := reg.History[i-1], reg.History[i]
		from, to := regs[prev.Version], regs[v.Version]
		if from == nil || to == nil {
			continue
		}
		lv.Previous[v.Version] = prev.Version
		h.changes[v.Version] = frozen(views.PolicyChanges(views.PolicyChangesView{From: prev, To: v,
			Changes: views.DiffPolicies(from, to)}), log)
	}
	h.list = frozen(views.PolicyVersions(lv), log)
	return h
}

func (h *policyHistory) showVersions(c echo.Context) error {
	return render(c, http.StatusOK, views.Frame(describedPage(c, tr(c, views.TitlePolicyVersions), tr(c, views.DescPolicyVersions)), h.list))
}

// showVersion is a past version; the current one is /privacy.
func (h *policyHistory) showVersion(c echo.Context) error {
	body, ok := h.past[c.Param("version")]
	if !ok {
		return echo.NewHTTPError(http.StatusNotFound, "")
	}
	return render(c, http.StatusOK, views.Frame(describedPage(c, tr(c, views.TitlePrivacy)+" · "+c.Param("version"), tr(c, views.DescPrivacy)), body))
}

func (h *policyHistory) showChanges(c echo.Context) error {
	body, ok := h.changes[c.Param("version")]
	if !ok {
		return echo.NewHTTPError(http.StatusNotFound, "")
	}
	return render(c, http.StatusOK, views.Frame(describedPage(c, tr(c, views.TitlePolicyChanges), tr(c, views.DescPolicyVersions)), body))
}
