package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/alegria/privacy-portal/i18n"
	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/views"
)

// policyNotify runs `portal policy notify [--batch N]`: when the current
// version of the policy is a material change, it queues a notice in the
// outbox for every person with a current relationship, batch by batch.
// Each batch is one transaction that remembers who was told, so the command
// can be stopped and run again: it resumes, and tells nobody twice.
func policyNotify(env *env, args []string) error {
	fs := flag.NewFlagSet("policy notify", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	batch := fs.Int("batch", 200, "people per transaction")
	if err := fs.Parse(args); err != nil || *batch < 1 || *batch > 10000 || fs.NArg() > 0 {
		return errors.New("usage: portal policy notify [--batch N] (N from 1 to 10000)")
	}
	reg, db, v, _, err := env.all()
	if err != nil {
		return err
	}
	if !reg.Material {
		return fmt.Errorf("version %s of the policy is not a material change: nobody needs to be told", reg.Version)
	}
	// One notice per language, each person's in the language they used.
	base := strings.TrimSuffix(env.cfg.BaseURL.String(), "/")
	compose := func(to, lang string) models.Email {
		l, _ := i18n.Parse(lang)
		if l == "" {
			l = i18n.Default
		}
		subject, body := views.PolicyNoticeEmail(l, reg, base)
		return models.Email{To: to, Subject: subject, Body: body, Lang: l.String()}
	}
	notices := models.NewPolicyNotices(db, v, reg)
	var total models.NoticeBatch
	for {
		b, err := notices.NotifyBatch(env.ctx, reg.Version, *batch, time.Now().UTC(), compose)
		if err != nil {
			return err
		}
		total.Emailed += b.Emailed
		total.NoAddress += b.NoAddress
		if b.Done() == 0 {
			break
		}
	}
	emailed, none, err := notices.Notified(env.ctx, reg.Version)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "version %s: %d notices queued now, %d people without an email address; in all %d told, %d without an address\n",
		reg.Version, total.Emailed, total.NoAddress, emailed, none)
	return nil
}
