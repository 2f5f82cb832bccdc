package views

import (
	"context"

	"github.com/alegria/privacy-portal/i18n"
)

// labelIn says a stored code (a status, an action, a timeline step…) in
// ctx's language; a code the table lacks is shown as it is rather than not
// at all.
func labelIn(ctx context.Context, labels map[string]i18n.Msg, code string) string {
	if m, ok := labels[code]; ok {
		return m.In(ctx)
	}
	return code
}
