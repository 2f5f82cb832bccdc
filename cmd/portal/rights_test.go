package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/models/testdb"
	"github.com/alegria/privacy-portal/policy"
	"github.com/alegria/privacy-portal/vault"
	"github.com/alegria/privacy-portal/views"
)

// confirmedRequest files a request received at received.
func confirmedRequest(t *testing.T, db *models.DB, v *vault.Vault, pu *policy.Purpose, right string, received time.Time) uuid.UUID {
	t.Helper()
	id := uuid.New()
	s := models.NewRightsStore(db, v, pu)
	ctx := context.Background()
	if err := s.Submit(ctx, models.RightsRequestSubmission{ID: id, Right: right, Fields: models.Fields{"email": "a@example.org", "right": right},
		Email: "a@example.org", Now: received, PolicyVersion: "1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Confirm(ctx, id, received); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestRightsList(t *testing.T) {
	db, urls := testdb.Open(t)
	reg, _ := policy.Default()
	pu, _ := reg.RightsPurpose()
	v, _ := vault.NewEphemeral()
	late := confirmedRequest(t, db, v, pu, "erasure", time.Now().AddDate(0, -2, 0))
	fresh := confirmedRequest(t, db, v, pu, "access", time.Now().Add(-time.Hour))
	t.Setenv("DATABASE_URL", urls.App)
	t.Setenv("PORTAL_POLICY", "")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"rights", "list"}, &out, &out); err != nil {
		t.Fatal(err)
	}
	all := out.String()
	if !strings.Contains(all, late.String()) || !strings.Contains(all, fresh.String()) || !strings.Contains(all, "days left") {
		t.Errorf("rights list:\n%s", all)
	}
	if !strings.Contains(all, "OVERDUE") || strings.Contains(all, "a@example.org") {
		t.Errorf("rights list marks no overdue request, or shows an address:\n%s", all)
	}
	out.Reset()
	if err := run(context.Background(), []string{"rights", "list", "--overdue"}, &out, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), late.String()) || strings.Contains(out.String(), fresh.String()) {
		t.Errorf("rights list --overdue:\n%s", out.String())
	}
	if err := run(context.Background(), []string{"rights", "lst"}, &out, &out); err == nil {
		t.Error("a wrong subcommand is accepted")
	}
}

// The DPO is emailed 7 and 2 days before the due date and on the day it
// passes, once each.
func TestRightsReminders(t *testing.T) {
	db, _ := testdb.Open(t)
	reg, _ := policy.Default()
	pu, _ := reg.RightsPurpose()
	v, _ := vault.NewEphemeral()
	received := time.Date(2027, 1, 31, 10, 0, 0, 0, time.UTC) // due 28 February
	confirmedRequest(t, db, v, pu, "access", received)
	desk := models.NewRightsDesk(db, v, pu, nil)
	outbox := models.NewOutbox(db, v)
	compose := func(r models.Reminder) models.Email { return views.ReminderEmail(reg, "https://portal.example", r) }
	sent := func() []string {
		t.Helper()
		list, err := outbox.List(context.Background(), 100)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range list {
			if m.Kind == "rights_reminder" {
				if m.Email.To != reg.DPO.Email {
					t.Errorf("reminder sent to %s", m.Email.To)
				}
				out = append(out, m.Email.Subject)
			}
		}
		return out
	}
	for _, step := range []struct {
		at   time.Time
		want int
	}{
		{time.Date(2027, 2, 20, 9, 0, 0, 0, time.UTC), 0},  // 8 days before
		{time.Date(2027, 2, 21, 9, 0, 0, 0, time.UTC), 1},  // 7 days before
		{time.Date(2027, 2, 21, 18, 0, 0, 0, time.UTC), 1}, // again: nothing new
		{time.Date(2027, 2, 26, 9, 0, 0, 0, time.UTC), 2},  // 2 days before
		{time.Date(2027, 2, 28, 9, 0, 0, 0, time.UTC), 2},  // the due day, before the hour
		{time.Date(2027, 2, 28, 11, 0, 0, 0, time.UTC), 3}, // passed
		{time.Date(2027, 3, 2, 11, 0, 0, 0, time.UTC), 3},  // never twice
	} {
		if _, err := desk.DueReminders(context.Background(), step.at, compose); err != nil {
			t.Fatal(err)
		}
		if got := sent(); len(got) != step.want {
			t.Errorf("at %v: %d reminders %v, want %d", step.at, len(got), got, step.want)
		}
	}
	if got := sent(); len(got) == 3 && !strings.Contains(got[0], "overdue") {
		t.Errorf("the last reminder is %q", got[0])
	}
}
