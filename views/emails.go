package views

import (
	"fmt"
	"strings"

	"github.com/alegria/privacy-portal/policy"
)

// Emails are written as text; their HTML alternative (EmailHTML) shows the
// same paragraphs. They say what was received and how to use one's rights;
// they never repeat what the person typed (an email can be forwarded or
// read over a shoulder).

// ReceiptEmail is the receipt each form sends.
func ReceiptEmail(reg *policy.Registry, pu *policy.Purpose, baseURL string) (subject, body string) {
	subject = fmt.Sprintf("%s: we have received your request", reg.Controller.Name)
	var b strings.Builder
	fmt.Fprintf(&b, "Hello,\n\n%s\n\n", pu.Form.Confirm.EN)
	fmt.Fprintf(&b, "Why we keep it: %s\nHow long: %s\n\n", pu.Description.EN, RetentionText(pu.Retention))
	if path := reg.RightsPath(); path != "" {
		fmt.Fprintf(&b, "You can see, correct or delete your data, or object to its use, at any time: %s%s\n", baseURL, path)
	}
	fmt.Fprintf(&b, "Our privacy policy: %s/privacy\nOur Data Protection Officer: %s\n\n%s\n", baseURL, reg.DPO.Email, reg.Controller.Name)
	return subject, b.String()
}

// ConfirmEmail asks the person to follow a signed link (double opt-in), in
// the purpose's confirm_wording.
func ConfirmEmail(reg *policy.Registry, pu *policy.Purpose, link string) (subject, body string) {
	w := pu.Form.ConfirmWording
	subject = fmt.Sprintf("%s: %s", reg.Controller.Name, w.Subject.EN)
	var b strings.Builder
	fmt.Fprintf(&b, "Hello,\n\n%s\n\n", w.Lead.EN)
	valid := policy.Durations.LinkValidity
	fmt.Fprintf(&b, "%s\n\nThe link is valid for %s. If you did not ask for this, ignore this email: without your confirmation we delete the request after %s.\n\n", link, valid, valid)
	fmt.Fprintf(&b, "Our Data Protection Officer: %s\n\n%s\n", reg.DPO.Email, reg.Controller.Name)
	return subject, b.String()
}

// PolicyNoticeEmail tells a person about a material change of the privacy
// policy (art. 12(1), 13(3)): what changed, where to read it, and how to
// use their rights.
func PolicyNoticeEmail(reg *policy.Registry, baseURL string) (subject, body string) {
	subject = fmt.Sprintf("%s: our privacy policy changes", reg.Controller.Name)
	var b strings.Builder
	fmt.Fprintf(&b, "Hello,\n\nWe hold some of your personal data, so we are telling you that our privacy policy changed on %s (version %s).\n\n",
		longDate(reg.Date), reg.Version)
	for _, h := range reg.History {
		if h.Version == reg.Version && !h.Summary.IsZero() {
			fmt.Fprintf(&b, "%s\n\n", h.Summary.EN)
		}
	}
	if len(reg.History) > 1 {
		fmt.Fprintf(&b, "What changed, fact by fact: %s/privacy/versions/%s/changes\n", baseURL, reg.Version)
	}
	fmt.Fprintf(&b, "The policy: %s/privacy\n\n", baseURL)
	if path := reg.RightsPath(); path != "" {
		fmt.Fprintf(&b, "You can see, correct or delete your data, or object to its use, at any time: %s%s\n", baseURL, path)
	}
	fmt.Fprintf(&b, "Our Data Protection Officer: %s\n\n%s\n", reg.DPO.Email, reg.Controller.Name)
	return subject, b.String()
}

// EmailParagraph is one paragraph of an email, line by line, each line cut
// into text and links.
type EmailParagraph struct {
	Lines [][]EmailSpan
}

// EmailSpan is text, or a link (an http(s) URL of the text).
type EmailSpan struct {
	Text string
	Link bool
}

// EmailParagraphs cuts a text email into paragraphs (blank lines) for its
// HTML alternative, so the two say exactly the same.
func EmailParagraphs(body string) []EmailParagraph {
	var out []EmailParagraph
	for _, block := range strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n\n") {
		block = strings.Trim(block, "\n")
		if block == "" {
			continue
		}
		var p EmailParagraph
		for _, line := range strings.Split(block, "\n") {
			var spans []EmailSpan
			for _, word := range strings.SplitAfter(line, " ") {
				w := strings.TrimRight(word, " ")
				link := strings.HasPrefix(w, "https://") || strings.HasPrefix(w, "http://")
				if link {
					spans = append(spans, EmailSpan{Text: w, Link: true})
					if len(w) < len(word) {
						spans = append(spans, EmailSpan{Text: " "})
					}
					continue
				}
				if n := len(spans); n > 0 && !spans[n-1].Link {
					spans[n-1].Text += word
				} else {
					spans = append(spans, EmailSpan{Text: word})
				}
			}
			p.Lines = append(p.Lines, spans)
		}
		out = append(out, p)
	}
	return out
}
