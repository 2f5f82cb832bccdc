package views

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/alegria/privacy-portal/i18n"
	"github.com/alegria/privacy-portal/policy"
)

// Emails are written as text; their HTML alternative (EmailHTML) shows the
// same paragraphs. They say what was received and how to use one's rights;
// they never repeat what the person typed (an email can be forwarded or
// read over a shoulder).

// ReceiptEmail is the receipt each form sends, in language l; its links
// lead to the pages in l.
func ReceiptEmail(l i18n.Lang, reg *policy.Registry, pu *policy.Purpose, baseURL string) (subject, body string) {
	subject = fmt.Sprintf(mailReceived.Get(l), reg.Controller.Name)
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n%s\n\n", mailHello.Get(l), pu.Form.Confirm.Get(l))
	fmt.Fprintf(&b, mailWhyHowLong.Get(l)+"\n\n", pu.Description.Get(l), RetentionText(pu.Retention).Get(l))
	if path := reg.RightsPath(); path != "" {
		fmt.Fprintf(&b, mailRights.Get(l)+"\n", baseURL+PathIn(l, path))
	}
	fmt.Fprintf(&b, mailPolicy.Get(l)+"\n"+mailDPO.Get(l)+"\n\n%s\n", baseURL+PathIn(l, "/privacy"), reg.DPO.Email, reg.Controller.Name)
	return subject, b.String()
}

// ConfirmEmail asks the person to follow a signed link (double opt-in), in
// the purpose's confirm_wording.
func ConfirmEmail(l i18n.Lang, reg *policy.Registry, pu *policy.Purpose, link string) (subject, body string) {
	w := pu.Form.ConfirmWording
	subject = fmt.Sprintf("%s: %s", reg.Controller.Name, w.Subject.Get(l))
	if l == i18n.FR {
		subject = fmt.Sprintf("%s\u00a0: %s", reg.Controller.Name, w.Subject.Get(l))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n%s\n\n", mailHello.Get(l), w.Lead.Get(l))
	valid := policy.Durations.LinkValidity
	fmt.Fprintf(&b, "%s\n\n"+mailLinkValid.Get(l)+"\n\n", link, valid, valid)
	fmt.Fprintf(&b, mailDPO.Get(l)+"\n\n%s\n", reg.DPO.Email, reg.Controller.Name)
	return subject, b.String()
}

// PolicyNoticeEmail tells a person about a material change of the privacy
// policy (art. 12(1), 13(3)): what changed, where to read it, and how to
// use their rights.
func PolicyNoticeEmail(l i18n.Lang, reg *policy.Registry, baseURL string) (subject, body string) {
	ctx := i18n.WithLang(context.Background(), l)
	subject = fmt.Sprintf(mailNoticeSubj.Get(l), reg.Controller.Name)
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n"+mailNoticeLead.Get(l)+"\n\n", mailHello.Get(l), registryDay(ctx, reg.Date), reg.Version)
	for _, h := range reg.History {
		if h.Version == reg.Version && !h.Summary.IsZero() {
			fmt.Fprintf(&b, "%s\n\n", h.Summary.Get(l))
		}
	}
	if len(reg.History) > 1 {
		fmt.Fprintf(&b, mailNoticeDiff.Get(l)+"\n", baseURL+PathIn(l, "/privacy/versions/"+reg.Version+"/changes"))
	}
	fmt.Fprintf(&b, mailNoticePol.Get(l)+"\n\n", baseURL+PathIn(l, "/privacy"))
	if path := reg.RightsPath(); path != "" {
		fmt.Fprintf(&b, mailRights.Get(l)+"\n", baseURL+PathIn(l, path))
	}
	fmt.Fprintf(&b, mailDPO.Get(l)+"\n\n%s\n", reg.DPO.Email, reg.Controller.Name)
	return subject, b.String()
}

// registryDay is a registry date (YYYY-MM-DD) as ctx's language writes it;
// a date in any other form is shown as written.
func registryDay(ctx context.Context, s string) string {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return i18n.Date(ctx, t)
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

// emailLang is the lang attribute of an email written in lang; French, the
// default language, when it names none.
func emailLang(lang string) string {
	if l, ok := i18n.Parse(lang); ok {
		return l.String()
	}
	return i18n.Default.String()
}
