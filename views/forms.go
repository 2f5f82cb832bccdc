package views

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"

	"github.com/alegria/privacy-portal/policy"
)

// FormState is what a form shows: the visitor's values (all of them again
// after a refused post), a problem per field, the boxes they ticked, and
// the CSRF token.
type FormState struct {
	Values   map[string]string
	Problems map[string]policy.Problem
	Consents map[string]bool
	CSRF     string
	// Idem is this rendering's idempotency key: a post sent twice (a retry
	// after a lost answer) is stored once.
	Idem string
}

// IdemField is the form field carrying the idempotency key.
const IdemField = "_idem"

// HoneypotField is a field people never see nor fill: a post with it
// filled comes from a robot and is dropped.
const HoneypotField = "website"

// CSRFField is the form field carrying the CSRF token.
const CSRFField = "_csrf"

// Messages the HTTP layer passes to the error page.
const (
	MsgCSRF        = "This form has expired or was sent from another site. Please go back, reload the page and send it again: nothing was stored."
	MsgRateLimited = "You have sent several forms in a short time. Please wait a minute before trying again."
	MsgBadForm     = "We could not read this form. Please go back, reload the page and send it again."
	MsgBadInput    = "This address or form contains characters we cannot read (a NUL byte or invalid UTF-8). Please check the link or retype the form."
)

// Page titles of the form flow.
const (
	TitleFormSent     = "Thank you"
	TitleConfirmEmail = "Confirm your email address"
	TitleConfirmed    = "Confirmed"
	TitleLinkProblem  = "This link does not work"
)

// problemMessage says what is wrong with one field, using its declared limits.
func problemMessage(f policy.Field, p policy.Problem) string {
	switch p {
	case policy.ProblemRequired:
		if f.Type == policy.FieldSelect || f.Type == policy.FieldFile {
			return "Please make a choice here: this field is required."
		}
		return "Please fill in this field: it is required."
	case policy.ProblemTooLong:
		return fmt.Sprintf("Please shorten this to %d characters at most.", f.MaxLength)
	case policy.ProblemBadText:
		return "This contains invisible or control characters we cannot store. Please type it again."
	case policy.ProblemOneLine:
		return "Please write this on a single line."
	case policy.ProblemEmail:
		return "Please enter an email address such as name@example.com."
	case policy.ProblemPhone:
		return "Please enter a valid phone number, such as 06 12 34 56 78 or +33 6 12 34 56 78."
	case policy.ProblemNumber:
		return "Please enter a whole number."
	case policy.ProblemRange:
		if f.Min != nil && f.Max != nil {
			return fmt.Sprintf("Please enter a number from %d to %d.", *f.Min, *f.Max)
		}
		return "Please enter a number in the allowed range."
	case policy.ProblemChoice:
		return "Please choose one of the options."
	case policy.ProblemDateTime:
		return "Please enter a date and a time."
	case policy.ProblemPast:
		return "Please choose a time in the future."
	case policy.ProblemTooFar:
		return "Please choose a time within the next twelve months."
	case policy.ProblemFileType:
		return "This file is not a PDF, Word (.docx) or OpenDocument (.odt) document, whatever its name says. Please choose one of those."
	case policy.ProblemFileTooLarge:
		return fmt.Sprintf("This file is larger than %s. Please choose a smaller one.", byteSize(f.MaxBytes))
	case policy.ProblemFileArchive:
		return "This document expands to far more data than a CV holds, so we cannot accept it. Please save it again or send a PDF."
	case policy.ProblemFileEmpty:
		return "This file is empty. Please choose another one."
	case policy.ProblemFileUnreadable:
		return "We could not read this file. Please save it again or send a PDF."
	case policy.ProblemFileInfected:
		return "Our virus scanner found malicious content in this file, so we did not accept it. Please check your computer and send a clean copy."
	case policy.ProblemFileUnscanned:
		return "We could not check this file for viruses just now, so we did not store it. Please choose it again and send the form in a few minutes."
	case policy.ProblemConsentRequired:
		return "We need your agreement to this to handle your request. Please tick the box."
	}
	return "Please check this field."
}

// questionProblem is problemMessage for a quiz question.
func questionProblem(p policy.Problem) string {
	if p == policy.ProblemRequired {
		return "Please answer this question."
	}
	return "Please choose one of the answers."
}

// fieldHelp is the hint under a label: the registry's help, after the size
// limit of a file field (said from max_bytes, the limit the server enforces).
func fieldHelp(f policy.Field) string {
	if f.Type == policy.FieldFile && f.MaxBytes > 0 {
		return strings.TrimSpace(byteSize(f.MaxBytes) + " at most. " + f.Help.EN)
	}
	return f.Help.EN
}

// MsgTooLarge says a form with files was refused for its size; maxFile is
// the largest file the form's fields accept.
func MsgTooLarge(maxFile int64) string {
	return "What you sent is larger than we accept (files: " + byteSize(maxFile) + " at most). Please go back and choose a smaller file: nothing was stored."
}

func byteSize(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return strconv.FormatInt(n>>20, 10) + " MB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// acceptAttr is the accept attribute of a file input: the declared MIME
// types and their usual extensions (the server checks the content anyway).
func acceptAttr(f policy.Field) string {
	ext := map[string]string{
		"application/pdf": ".pdf",
		"application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
		"application/vnd.oasis.opendocument.text":                                 ".odt",
	}
	parts := []string{}
	for _, m := range f.Accept {
		if e, ok := ext[m]; ok {
			parts = append(parts, e)
		}
		parts = append(parts, m)
	}
	return strings.Join(parts, ",")
}

func hasFile(pu *policy.Purpose) bool {
	for _, f := range pu.Form.Fields {
		if f.Type == policy.FieldFile {
			return true
		}
	}
	return false
}

func inputType(f policy.Field) string {
	switch f.Type {
	case policy.FieldEmail:
		return "email"
	case policy.FieldPhone:
		return "tel"
	case policy.FieldNumber:
		return "number"
	case policy.FieldDateTime:
		return "datetime-local"
	}
	return "text"
}

// fieldAttrs are the HTML constraints matching the server's checks.
func fieldAttrs(f policy.Field, st FormState) templ.Attributes {
	a := templ.Attributes{}
	if f.Required {
		a["required"] = true
		a["aria-required"] = "true"
	}
	if f.MaxLength > 0 {
		a["maxlength"] = strconv.Itoa(f.MaxLength)
	}
	if f.Min != nil {
		a["min"] = strconv.Itoa(*f.Min)
	}
	if f.Max != nil {
		a["max"] = strconv.Itoa(*f.Max)
	}
	if f.Autocomplete != "" {
		a["autocomplete"] = f.Autocomplete
	}
	if f.Type == policy.FieldNumber {
		a["inputmode"] = "numeric"
	}
	var described []string
	if fieldHelp(f) != "" {
		described = append(described, "h-"+f.Name)
	}
	if _, bad := st.Problems[f.Name]; bad {
		a["aria-invalid"] = "true"
		described = append(described, "e-"+f.Name)
	}
	if len(described) > 0 {
		a["aria-describedby"] = strings.Join(described, " ")
	}
	return a
}

// summaryItem is one line of the error summary above a refused form.
type summaryItem struct {
	Anchor, Label, Message string
}

// problemSummary lists the problems in the order of the form.
func problemSummary(pu *policy.Purpose, st FormState) []summaryItem {
	var out []summaryItem
	for _, f := range pu.Form.Fields {
		if p, ok := st.Problems[f.Name]; ok {
			out = append(out, summaryItem{"#f-" + f.Name, f.Label.EN, problemMessage(f, p)})
		}
	}
	if q := pu.Form.Quiz; q != nil {
		for _, qu := range q.Questions {
			if p, ok := st.Problems[qu.Name]; ok {
				out = append(out, summaryItem{"#f-" + qu.Name + "-0", qu.Text.EN, questionProblem(p)})
			}
		}
	}
	for _, c := range pu.Form.Consents {
		if p, ok := st.Problems[policy.ConsentField(c.Kind)]; ok {
			out = append(out, summaryItem{"#f-" + policy.ConsentField(c.Kind), c.Label.EN, problemMessage(policy.Field{}, p)})
		}
	}
	return out
}

func bases(pu *policy.Purpose) string {
	parts := make([]string, len(pu.Bases))
	for i, b := range pu.Bases {
		parts[i] = BasisLabel(b)
	}
	return strings.Join(parts, "; ")
}

// storedLabels lists what a form stores, as its labels say.
func storedLabels(pu *policy.Purpose) []string {
	var out []string
	for _, f := range pu.Form.Fields {
		out = append(out, f.Label.EN)
	}
	if q := pu.Form.Quiz; q != nil {
		out = append(out, q.Title.EN+": your answers and your score")
	}
	if len(pu.Form.Consents) > 0 {
		out = append(out, "Your answer to each consent box, with the date and the version of this policy")
	}
	return out
}

func dayOf(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format("2 January 2006")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
