package main

import (
	"errors"
	"flag"
	"io"

	"github.com/alegria/privacy-portal/i18n"
	"github.com/alegria/privacy-portal/views"
)

const ropaUsage = "usage: portal ropa export --format html|json|csv [--lang en|fr]"

// ropaCommand runs `portal ropa export --format html|json|csv [--lang en|fr]`: the record
// of processing activities (GDPR art. 30) built from the registry, the same
// document the DPO downloads from /admin/dpo/ropa, written to stdout.
func ropaCommand(env *env, args []string) error {
	if len(args) == 0 || args[0] != "export" {
		return errors.New(ropaUsage)
	}
	fs := flag.NewFlagSet("ropa export", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	format := fs.String("format", "html", "html, json or csv")
	langFlag := fs.String("lang", "en", "en or fr: the language of the record")
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() > 0 {
		return errors.New(ropaUsage)
	}
	lang, ok := i18n.Parse(*langFlag)
	if !ok {
		return errors.New(ropaUsage)
	}
	reg, err := env.registry()
	if err != nil {
		return err
	}
	r := views.NewROPA(reg, lang)
	switch *format {
	case "html":
		return views.ROPADocument(r).Render(env.ctx, env.stdout)
	case "json":
		return r.WriteJSON(env.stdout)
	case "csv":
		return r.WriteCSV(env.stdout)
	}
	return errors.New(ropaUsage)
}
