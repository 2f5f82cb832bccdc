package policy

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/alegria/privacy-portal/i18n"
)

// Text is one sentence or label of the policy in both languages the portal
// speaks. The registry writes it as a mapping, `title: {en: …, fr: …}`; the
// validator refuses a text that lacks either language, so no page can show
// a policy fact in one language and leave the other blank (art. 12(1):
// information in clear and plain language the visitor reads).
type Text struct {
	EN string
	FR string

	bare bool // written as a plain string: the validator says how to write it
}

// T builds a Text from its English and French (tests and code-built texts).
func T(en, fr string) Text { return Text{EN: en, FR: fr} }

// Get is the text in l.
func (t Text) Get(l i18n.Lang) string {
	if l == i18n.EN {
		return t.EN
	}
	return t.FR
}

// In is the text in ctx's language.
func (t Text) In(ctx context.Context) string { return t.Get(i18n.From(ctx)) }

// IsZero reports whether neither language is written (an optional text left out).
func (t Text) IsZero() bool { return strings.TrimSpace(t.EN) == "" && strings.TrimSpace(t.FR) == "" }

// UnmarshalYAML reads {en: …, fr: …}. Other keys are refused here (the
// strict decoder does not reach inside a custom unmarshaler); a plain string
// is kept as "bare" so the validator can name its path.
func (t *Text) UnmarshalYAML(n *yaml.Node) error {
	*t = Text{}
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return nil
		}
		t.bare = true
		return nil
	case yaml.MappingNode:
	default:
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: a text is written {en: …, fr: …}", n.Line)}}
	}
	var errs []string
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if seen[k.Value] {
			errs = append(errs, fmt.Sprintf("line %d: language %q written twice", k.Line, k.Value))
			continue
		}
		seen[k.Value] = true
		if v.Kind != yaml.ScalarNode || (v.Tag != "!!str" && v.Tag != "!!null") {
			errs = append(errs, fmt.Sprintf("line %d: the %s text must be a string", v.Line, k.Value))
			continue
		}
		switch k.Value {
		case "en":
			t.EN = v.Value
		case "fr":
			t.FR = v.Value
		default:
			errs = append(errs, fmt.Sprintf("line %d: unknown language %q in a text (want en and fr)", k.Line, k.Value))
		}
	}
	if len(errs) > 0 {
		return &yaml.TypeError{Errors: errs}
	}
	return nil
}

// MarshalJSON writes {"en": …, "fr": …}: exports carry both languages.
func (t Text) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		EN string `json:"en"`
		FR string `json:"fr"`
	}{t.EN, t.FR})
}

// Texts gives each text of ts in l.
func Texts(ts []Text, l i18n.Lang) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Get(l)
	}
	return out
}

var textType = reflect.TypeFor[Text]()

// texts checks every Text in the registry, wherever it sits: a text written
// in one language only, or as a plain string, is refused with its path. A
// text left out entirely is for the field's own check (required or not).
func (v *validator) texts(val reflect.Value, path string) {
	switch val.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !val.IsNil() {
			v.texts(val.Elem(), path)
		}
	case reflect.Struct:
		if val.Type() == textType {
			v.checkText(path, val.Interface().(Text))
			return
		}
		for i := range val.NumField() {
			f := val.Type().Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if !f.IsExported() || name == "-" || name == "" {
				continue
			}
			at := name
			if path != "" {
				at = path + "." + name
			}
			v.texts(val.Field(i), at)
		}
	case reflect.Slice, reflect.Array:
		for i := range val.Len() {
			v.texts(val.Index(i), path+"["+strconv.Itoa(i)+"]")
		}
	case reflect.Map:
		iter := val.MapRange()
		for iter.Next() {
			v.texts(iter.Value(), path+"."+fmt.Sprint(iter.Key().Interface()))
		}
	}
}

func (v *validator) checkText(path string, t Text) {
	switch {
	case t.bare:
		v.errorf(path, "a text needs both languages: write {en: …, fr: …}")
	case t.IsZero():
	case strings.TrimSpace(t.EN) == "":
		v.errorf(path+".en", "the English text is missing")
	case strings.TrimSpace(t.FR) == "":
		v.errorf(path+".fr", "the French text is missing")
	}
}

// requiredText refuses a text left out (both languages empty).
func (v *validator) requiredText(path string, t Text) {
	if t.IsZero() && !t.bare {
		v.errorf(path, "is required (in English and French: {en: …, fr: …})")
	}
}
