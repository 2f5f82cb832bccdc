package views

import (
	"fmt"
	"strings"

	"github.com/alegria/privacy-portal/policy"
)

// Emails are plain text. They say what was received and how to use one's
// rights; they never repeat what the person typed (an email can be
// forwarded or read over a shoulder).

// ReceiptEmail is the receipt each form sends.
func ReceiptEmail(reg *policy.Registry, pu *policy.Purpose, baseURL string) (subject, body string) {
	subject = fmt.Sprintf("%s: we have received your request", reg.Controller.Name)
	var b strings.Builder
	fmt.Fprintf(&b, "Hello,\n\n%s\n\n", pu.Form.Confirm)
	fmt.Fprintf(&b, "Why we keep it: %s\nHow long: %s\n\n", pu.Description, retentionText(pu.Retention))
	fmt.Fprintf(&b, "You can see, correct or delete your data, or object to its use, at any time: %s/rights\n", baseURL)
	fmt.Fprintf(&b, "Our privacy policy: %s/privacy\nOur Data Protection Officer: %s\n\n%s\n", baseURL, reg.DPO.Email, reg.Controller.Name)
	return subject, b.String()
}

// ConfirmEmail asks the person to follow a signed link (double opt-in:
// the newsletter, rights requests).
func ConfirmEmail(reg *policy.Registry, pu *policy.Purpose, link string) (subject, body string) {
	var b strings.Builder
	b.WriteString("Hello,\n\n")
	if pu.Key == "rights" {
		subject = fmt.Sprintf("%s: please confirm your request", reg.Controller.Name)
		b.WriteString("We have received a request to use your rights under the GDPR from this address. To confirm that it comes from you, open this link:\n\n")
	} else {
		subject = fmt.Sprintf("%s: please confirm your subscription", reg.Controller.Name)
		b.WriteString("Someone, hopefully you, asked to receive our newsletter at this address. To confirm, open this link:\n\n")
	}
	fmt.Fprintf(&b, "%s\n\nThe link is valid for 7 days. If you did not ask for this, ignore this email: without your confirmation we delete the request after 7 days.\n\n", link)
	fmt.Fprintf(&b, "Our Data Protection Officer: %s\n\n%s\n", reg.DPO.Email, reg.Controller.Name)
	return subject, b.String()
}
