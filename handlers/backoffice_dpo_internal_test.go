package handlers

import (
	"net/url"
	"strconv"
	"testing"

	"github.com/alegria/privacy-portal/views"
)

// The review's links (next page, export, the search's redirect) are written
// by hand: each is the one url.Values would encode, special characters
// escaped, empty filters left out.
func TestAccessLogURLEncodesLikeURLValues(t *testing.T) {
	for _, tc := range []struct {
		vf     views.AccessLogFilter
		before int64
	}{
		{},
		{before: 42},
		{vf: views.AccessLogFilter{Staff: "0193a7c2-0000-7000-8000-000000000001", Action: "view"}, before: 1234567},
		{vf: views.AccessLogFilter{Role: "sales & co", Purpose: "contact", Outcome: "denied", From: "2026-01-01", To: "2026-02-01",
			Search: "a+b/c?d=e&f#g é"}},
	} {
		q := url.Values{}
		for k, v := range map[string]string{"staff": tc.vf.Staff, "role": tc.vf.Role, "action": tc.vf.Action,
			"purpose": tc.vf.Purpose, "q": tc.vf.Search, "outcome": tc.vf.Outcome, "from": tc.vf.From, "to": tc.vf.To} {
			if v != "" {
				q.Set(k, v)
			}
		}
		if tc.before > 0 {
			q.Set("before", strconv.FormatInt(tc.before, 10))
		}
		want := "/admin/dpo/access-log"
		if len(q) > 0 {
			want += "?" + q.Encode()
		}
		if got := accessLogURL("/admin/dpo/access-log", tc.vf, tc.before); got != want {
			t.Errorf("accessLogURL(%+v, %d) = %q, want %q", tc.vf, tc.before, got, want)
		}
	}
}
