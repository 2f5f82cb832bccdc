package views

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"

	"github.com/alegria/privacy-portal/i18n"
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

// problemMessage says what is wrong with one field, using its declared limits.
func problemMessage(ctx context.Context, f policy.Field, p policy.Problem) string {
	switch p {
	case policy.ProblemRequired:
		if f.Type == policy.FieldSelect || f.Type == policy.FieldFile {
			return problemChooseRequired.In(ctx)
		}
		return problemFillRequired.In(ctx)
	case policy.ProblemTooLong:
		return problemTooLong.F(ctx, f.MaxLength)
	case policy.ProblemRange:
		if f.Min != nil && f.Max != nil {
			return problemRange.F(ctx, *f.Min, *f.Max)
		}
		return problemRangeAny.In(ctx)
	case policy.ProblemFileTooLarge:
		return problemFileTooLarge.F(ctx, byteSize(ctx, f.MaxBytes))
	}
	if m, ok := problemMessages[p]; ok {
		return m.In(ctx)
	}
	return problemOther.In(ctx)
}

// problemMessages are the problems whose message takes no limit.
var problemMessages = map[policy.Problem]i18n.Msg{
	policy.ProblemBadText:         problemBadText,
	policy.ProblemOneLine:         problemOneLine,
	policy.ProblemEmail:           problemEmail,
	policy.ProblemPhone:           problemPhone,
	policy.ProblemNumber:          problemNumber,
	policy.ProblemChoice:          problemChoice,
	policy.ProblemDateTime:        problemDateTime,
	policy.ProblemPast:            problemPast,
	policy.ProblemTooFar:          problemTooFar,
	policy.ProblemFileType:        problemFileType,
	policy.ProblemFileArchive:     problemFileArchive,
	policy.ProblemFileEmpty:       problemFileEmpty,
	policy.ProblemFileUnreadable:  problemFileUnreadable,
	policy.ProblemFileInfected:    problemFileInfected,
	policy.ProblemFileUnscanned:   problemFileUnscanned,
	policy.ProblemConsentRequired: problemConsentRequired,
}

// questionProblem is problemMessage for a quiz question.
func questionProblem(ctx context.Context, p policy.Problem) string {
	if p == policy.ProblemRequired {
		return problemAnswer.In(ctx)
	}
	return problemAnswerChoice.In(ctx)
}

// fieldHelp is the hint under a label: the registry's help, after the size
// limit of a file field (said from max_bytes, the limit the server enforces).
func fieldHelp(ctx context.Context, f policy.Field) string {
	if f.Type == policy.FieldFile && f.MaxBytes > 0 {
		return strings.TrimSpace(formsMaxSize.F(ctx, byteSize(ctx, f.MaxBytes)) + " " + f.Help.In(ctx))
	}
	return f.Help.In(ctx)
}

// MsgTooLarge says a form with files was refused for its size; maxFile is
// the largest file the form's fields accept.
func MsgTooLarge(ctx context.Context, maxFile int64) string {
	return formsTooLarge.F(ctx, byteSize(ctx, maxFile))
}

func byteSize(ctx context.Context, n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return formsMegabytes.F(ctx, n>>20)
	}
	return formsBytes.F(ctx, n)
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
func fieldAttrs(ctx context.Context, f policy.Field, st FormState) templ.Attributes {
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
	if fieldHelp(ctx, f) != "" {
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
func problemSummary(ctx context.Context, pu *policy.Purpose, st FormState) []summaryItem {
	var out []summaryItem
	for _, f := range pu.Form.Fields {
		if p, ok := st.Problems[f.Name]; ok {
			out = append(out, summaryItem{"#f-" + f.Name, f.Label.In(ctx), problemMessage(ctx, f, p)})
		}
	}
	if q := pu.Form.Quiz; q != nil {
		for _, qu := range q.Questions {
			if p, ok := st.Problems[qu.Name]; ok {
				out = append(out, summaryItem{"#f-" + qu.Name + "-0", qu.Text.In(ctx), questionProblem(ctx, p)})
			}
		}
	}
	for _, c := range pu.Form.Consents {
		if p, ok := st.Problems[policy.ConsentField(c.Kind)]; ok {
			out = append(out, summaryItem{"#f-" + policy.ConsentField(c.Kind), c.Label.In(ctx), problemMessage(ctx, policy.Field{}, p)})
		}
	}
	return out
}

func bases(ctx context.Context, pu *policy.Purpose) string {
	parts := make([]string, len(pu.Bases))
	for i, b := range pu.Bases {
		parts[i] = basisText(b).In(ctx)
	}
	return strings.Join(parts, "; ")
}

// storedLabels lists what a form stores, as its labels say.
func storedLabels(ctx context.Context, pu *policy.Purpose) []string {
	var out []string
	for _, f := range pu.Form.Fields {
		out = append(out, f.Label.In(ctx))
	}
	if q := pu.Form.Quiz; q != nil {
		out = append(out, formsQuizAnswers.F(ctx, q.Title.In(ctx)))
	}
	if len(pu.Form.Consents) > 0 {
		out = append(out, formsConsentKept.In(ctx))
	}
	return out
}

// dayIn is a day as the reader's language writes it, in the company's zone.
func dayIn(ctx context.Context, t *time.Time) string {
	if t == nil {
		return ""
	}
	return i18n.Date(ctx, *t)
}

// correctFields heads the error summary of a refused form.
func correctFields(ctx context.Context, n int) string {
	if n == 1 {
		return formsCorrectOne.In(ctx)
	}
	return formsCorrectMany.F(ctx, n)
}
