package handlers

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"

	"github.com/alegria/privacy-portal/i18n"
	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/policy"
	"github.com/alegria/privacy-portal/scan"
	"github.com/alegria/privacy-portal/views"
)

// formsHandler serves every public form from the registry: one handler for
// all of them, so no form can drift from what the policy declares.
type formsHandler struct {
	reg       *policy.Registry
	scanner   scan.Scanner // nil only when development turned scanning off
	forms     *models.FormStore
	rights    *models.RightsStore
	linkKey   []byte           // signs confirmation links (Secrets.Key("email-link"))
	idemKey   []byte           // derives record ids from idempotency keys (Secrets.Key("form-idempotency"))
	prefLinks preferencesLinks // the link to the person's preferences every email carries
	baseURL   string
	now       func() time.Time
	receipts  sync.Map // receiptKey → [2]string{subject, body}
}

func (h *formsHandler) showForm(pu *policy.Purpose) echo.HandlerFunc {
	return func(c echo.Context) error {
		st := views.FormState{CSRF: csrfToken(c), Idem: newIdemKey()}
		return render(c, http.StatusOK, views.FormPage(describedPage(c, pu.Title.In(c.Request().Context()), pu.Form.Intro.In(c.Request().Context())), pu, st))
	}
}

func (h *formsHandler) showSent(pu *policy.Purpose) echo.HandlerFunc {
	return func(c echo.Context) error {
		return render(c, http.StatusOK, views.FormSentPage(describedPage(c, tr(c, views.TitleFormSent), tr(c, views.DescFormReply)), h.reg, pu))
	}
}

// submit validates a post, re-renders it with a message per field (422,
// every value kept) or stores it and redirects (303) to the confirmation.
func (h *formsHandler) submit(pu *policy.Purpose) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if r.PostForm == nil { // forms with files were parsed by limitUploads
			if err := r.ParseForm(); err != nil {
				return echo.NewHTTPError(http.StatusBadRequest, views.MsgBadForm)
			}
		}
		sent := localPath(c, pu.Form.Path+"/sent")
		if r.PostForm.Get(views.HoneypotField) != "" {
			// A robot: answer as if it worked, store nothing.
			return c.Redirect(http.StatusSeeOther, sent)
		}
		files, err := readUploads(pu, r.MultipartForm)
		if err != nil {
			return echo.NewHTTPError(http.StatusBadRequest, views.MsgBadForm)
		}
		now := h.now()
		sub := pu.CheckForm(r.PostForm, files, now)
		scanUploads(r.Context(), h.scanner, sub)
		if !sub.OK() {
			st := views.FormState{Values: sub.Typed, Problems: sub.Problems, Consents: sub.Consents, CSRF: csrfToken(c),
				Idem: idemKeyOf(r.PostForm)}
			return render(c, http.StatusUnprocessableEntity, views.FormPage(describedPage(c, pu.Title.In(c.Request().Context()), pu.Form.Intro.In(c.Request().Context())), pu, st))
		}
		fields := models.Fields(sub.Values)
		if pu.Form.Quiz != nil {
			fields[policy.QuizScoreField] = strconv.Itoa(sub.Score) + "/" + strconv.Itoa(len(pu.Form.Quiz.Questions))
		}
		email := pu.Identifier(sub, "email")
		if pu.Kind == policy.KindRightsRequest {
			err = h.submitRightsRequest(c, pu, sub, uuid.New(), fields, email, now)
		} else {
			err = h.submitRecord(c, pu, sub, h.recordID(c, pu, r.PostForm), fields, email, now)
		}
		if err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, sent)
	}
}

// newIdemKey is a fresh idempotency key for one rendering of a form.
func newIdemKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// idemKeyOf is the posted idempotency key if it has the shape of one, or a
// fresh key (a page rendered before keys existed: no retry protection).
func idemKeyOf(form url.Values) string {
	k := form.Get(views.IdemField)
	if b, err := base64.RawURLEncoding.DecodeString(k); err != nil || len(b) != 16 {
		return newIdemKey()
	}
	return k
}

// recordID derives the record's id from the form's idempotency key, the
// visitor's CSRF token and the purpose, under a server key: the same
// rendering posted twice names the same record (stored once), and no one
// can aim an id at another visitor's record without their token.
func (h *formsHandler) recordID(c echo.Context, pu *policy.Purpose, form url.Values) uuid.UUID {
	m := hmac.New(sha256.New, h.idemKey)
	m.Write([]byte(pu.Key + "\x00" + csrfToken(c) + "\x00" + idemKeyOf(form)))
	sum := m.Sum(nil)
	id, _ := uuid.FromBytes(sum[:16])
	id[6] = (id[6] & 0x0f) | 0x80 // version 8: application-defined
	id[8] = (id[8] & 0x3f) | 0x80 // RFC 9562 variant
	return id
}

func (h *formsHandler) submitRecord(c echo.Context, pu *policy.Purpose, sub *policy.Submission, id uuid.UUID, fields models.Fields, email string, now time.Time) error {
	in := models.FormSubmission{
		ID: id, Purpose: pu, PolicyVersion: h.reg.Version, Fields: fields, Now: now,
		Email: email, Phone: pu.Identifier(sub, "phone"), Consents: consentChoices(i18n.From(c.Request().Context()), pu, sub),
	}
	for _, f := range pu.Form.Fields {
		if up, ok := sub.Files[f.Name]; ok {
			in.Files = append(in.Files, up)
		}
	}
	// The emails, and the later ones about this record, in the page's language.
	lang := i18n.From(c.Request().Context())
	in.Lang = lang.String()
	var subject, body string
	if pu.Form.DoubleOptIn {
		subject, body = views.ConfirmEmail(lang, h.reg, pu, h.confirmURL(lang, pu, id, now))
	} else {
		subject, body = h.receipt(lang, pu)
	}
	body += views.PreferencesFooter(lang, h.prefLinks.page(lang, h.prefLinks.personOf(email), now))
	in.Receipt = &models.Email{To: email, Subject: subject, Body: body, Lang: lang.String()}
	_, err := h.forms.Submit(c.Request().Context(), in)
	return err
}

// receiptKey names one receipt wording: a purpose in a language.
type receiptKey struct {
	purpose string
	lang    i18n.Lang
}

// receipt is the receipt email of a purpose in lang. Its words depend only
// on the registry and the site's address, both fixed while the server
// runs: each is written once, not on every post.
func (h *formsHandler) receipt(lang i18n.Lang, pu *policy.Purpose) (subject, body string) {
	k := receiptKey{pu.Key, lang}
	if m, ok := h.receipts.Load(k); ok {
		e := m.([2]string)
		return e[0], e[1]
	}
	subject, body = views.ReceiptEmail(lang, h.reg, pu, h.baseURL)
	h.receipts.Store(k, [2]string{subject, body})
	return subject, body
}

func (h *formsHandler) submitRightsRequest(c echo.Context, pu *policy.Purpose, sub *policy.Submission, id uuid.UUID, fields models.Fields, email string, now time.Time) error {
	lang := i18n.From(c.Request().Context())
	subject, body := views.ConfirmEmail(lang, h.reg, pu, h.confirmURL(lang, pu, id, now))
	body += views.PreferencesFooter(lang, h.prefLinks.page(lang, h.prefLinks.personOf(email), now))
	return h.rights.Submit(c.Request().Context(), models.RightsRequestSubmission{
		ID: id, Right: fields[policy.RightField], Fields: fields, Email: email, Now: now, Lang: lang.String(),
		Confirm:  models.Email{To: email, Subject: subject, Body: body, Lang: lang.String()},
		Consents: consentChoices(i18n.From(c.Request().Context()), pu, sub), PolicyVersion: h.reg.Version,
	})
}

// consentChoices are the form's boxes as the visitor answered them.
func consentChoices(l i18n.Lang, pu *policy.Purpose, sub *policy.Submission) []models.ConsentChoice {
	var out []models.ConsentChoice
	for _, c := range pu.Form.Consents {
		out = append(out, models.ConsentChoice{Kind: c.Kind, Label: c.Label.Get(l), Granted: sub.Consents[c.Kind]})
	}
	return out
}

func (h *formsHandler) confirmURL(lang i18n.Lang, pu *policy.Purpose, id uuid.UUID, now time.Time) string {
	return h.baseURL + views.PathIn(lang, pu.Form.Path+"/confirm") + "?" + models.SignLink(h.linkKey, pu.Key, id, now.Add(models.LinkValidity))
}

// verifyLink checks a confirmation link; on failure it renders the page
// that says why, and ok is false.
func (h *formsHandler) verifyLink(c echo.Context, pu *policy.Purpose) (uuid.UUID, bool, error) {
	id, err := models.VerifyLink(h.linkKey, pu.Key, c.QueryParams(), h.now())
	if err == nil {
		return id, true, nil
	}
	expired := errors.Is(err, models.ErrLinkExpired)
	status := http.StatusBadRequest
	if expired {
		status = http.StatusGone
	}
	return uuid.Nil, false, render(c, status, views.LinkProblemPage(describedPage(c, tr(c, views.TitleLinkProblem), tr(c, views.DescFormReply)), pu, expired))
}

// showConfirm shows the button that confirms an emailed link. Opening the
// link changes nothing: mail scanners open links too.
func (h *formsHandler) showConfirm(pu *policy.Purpose) echo.HandlerFunc {
	return func(c echo.Context) error {
		if _, ok, err := h.verifyLink(c, pu); !ok {
			return err
		}
		action := localPath(c, pu.Form.Path+"/confirm") + "?" + c.QueryString()
		return render(c, http.StatusOK, views.ConfirmLinkPage(describedPage(c, tr(c, views.TitleConfirmEmail), tr(c, views.DescFormReply)), pu, action, csrfToken(c)))
	}
}

func (h *formsHandler) confirm(pu *policy.Purpose) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, ok, err := h.verifyLink(c, pu)
		if !ok {
			return err
		}
		ctx := c.Request().Context()
		page := describedPage(c, tr(c, views.TitleConfirmed), tr(c, views.DescFormReply))
		if pu.Kind == policy.KindRightsRequest {
			req, err := h.rights.Confirm(ctx, id, h.now())
			if errors.Is(err, models.ErrNotFound) {
				return render(c, http.StatusGone, views.LinkProblemPage(describedPage(c, tr(c, views.TitleLinkProblem), tr(c, views.DescFormReply)), pu, true))
			}
			if err != nil {
				return err
			}
			return render(c, http.StatusOK, views.ConfirmedPage(page, h.reg, pu, req.ReceivedAt, req.DueAt))
		}
		err = h.forms.ConfirmRecord(ctx, pu, id, h.now())
		if errors.Is(err, models.ErrNotFound) {
			return render(c, http.StatusGone, views.LinkProblemPage(describedPage(c, tr(c, views.TitleLinkProblem), tr(c, views.DescFormReply)), pu, true))
		}
		if err != nil {
			return err
		}
		return render(c, http.StatusOK, views.ConfirmedPage(page, h.reg, pu, nil, nil))
	}
}

// scanUploads checks every file the form accepted with the malware scanner
// before anything is stored (the policy promises candidates' documents are
// kept safely, and staff open them later). An infected file, or one the
// scanner could not check, becomes a problem on its field: the form is
// shown again with every other value kept, and nothing is stored. Every
// upload path (forms, rights requests' ID documents) calls it after
// CheckForm.
func scanUploads(ctx context.Context, scanner scan.Scanner, sub *policy.Submission) {
	for name, up := range sub.Files {
		if prob := scanFile(ctx, scanner, up.Data); prob != "" {
			sub.Problems[name] = prob
			delete(sub.Files, name)
		}
	}
}

// scanFile is the malware check of one file: no problem, infected, or not
// checked (scanner unreachable: refused, never stored unchecked).
func scanFile(ctx context.Context, scanner scan.Scanner, data []byte) policy.Problem {
	if scanner == nil {
		return ""
	}
	_, err := scanner.Scan(ctx, bytes.NewReader(data))
	var infected *scan.InfectedError
	switch {
	case errors.As(err, &infected):
		return policy.ProblemFileInfected
	case err != nil:
		return policy.ProblemFileUnscanned
	}
	return ""
}

// readUploads reads the files of the purpose's file fields (already held in
// memory by limitUploads), each within its max_bytes + 1 so that CheckFile
// can tell "too large".
func readUploads(pu *policy.Purpose, mf *multipart.Form) (map[string]policy.Upload, error) {
	out := map[string]policy.Upload{}
	if mf == nil {
		return out, nil
	}
	for _, f := range pu.Form.Fields {
		if f.Type != policy.FieldFile || len(mf.File[f.Name]) == 0 {
			continue
		}
		fh := mf.File[f.Name][0]
		if fh.Filename == "" && fh.Size == 0 {
			continue // the visitor chose no file
		}
		up, err := readUpload(&f, fh)
		if err != nil {
			return nil, err
		}
		out[f.Name] = up
	}
	return out, nil
}

// readUpload reads one file within its field's max_bytes + 1 (so that
// policy.CheckFile can tell "too large"). Every upload of the site, public
// form or identity document, is read here.
func readUpload(f *policy.Field, fh *multipart.FileHeader) (policy.Upload, error) {
	file, err := fh.Open()
	if err != nil {
		return policy.Upload{}, err
	}
	data, err := io.ReadAll(io.LimitReader(file, f.MaxBytes+1))
	_ = file.Close()
	if err != nil {
		return policy.Upload{}, err
	}
	return policy.Upload{Name: policy.CleanFileName(fh.Filename), Data: data}, nil
}

// checkedUpload reads the file of field f from a form limitUploads parsed
// and checks it as a public form's file field is checked (readUpload, then
// policy.CheckFile: size, type sniffed from the content, archive limits).
// A missing file is ProblemRequired.
func checkedUpload(f *policy.Field, mf *multipart.Form) (policy.Upload, policy.Problem, error) {
	if mf == nil || len(mf.File[f.Name]) == 0 {
		return policy.Upload{}, policy.ProblemRequired, nil
	}
	up, err := readUpload(f, mf.File[f.Name][0])
	if err != nil {
		return up, "", err
	}
	mime, prob := policy.CheckFile(f, up.Data)
	up.MIME = mime
	return up, prob, nil
}

// limitUploads caps the body of a form with files (limits: path → largest
// file, policy.Registry.UploadLimits; the body may add UploadMargin) before
// anything reads it (the CSRF
// check reads the form): an oversized body gets 413 without being buffered.
// The whole form stays in memory (maxMemory above the limit), so no
// unencrypted file is ever written to a temporary file.
func limitUploads(limits map[string]int64) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			maxFile, upload := limits[c.Path()]
			if r.Method != http.MethodPost || !upload {
				return next(c)
			}
			limit := maxFile + policy.UploadMargin
			if r.ContentLength > limit {
				return echo.NewHTTPError(http.StatusRequestEntityTooLarge, views.MsgTooLarge(c.Request().Context(), maxFile))
			}
			r.Body = http.MaxBytesReader(c.Response(), r.Body, limit)
			err := r.ParseMultipartForm(limit + 1<<20)
			if errors.Is(err, http.ErrNotMultipart) {
				err = r.ParseForm()
			}
			var tooLarge *http.MaxBytesError
			switch {
			case errors.As(err, &tooLarge):
				return echo.NewHTTPError(http.StatusRequestEntityTooLarge, views.MsgTooLarge(c.Request().Context(), maxFile))
			case err != nil:
				return echo.NewHTTPError(http.StatusBadRequest, views.MsgBadForm)
			case !cleanValues(r.PostForm):
				return errBadInput
			}
			if r.MultipartForm != nil { // nil when the body was url-encoded
				defer func() { _ = r.MultipartForm.RemoveAll() }()
			}
			return next(c)
		}
	}
}

// publicCSRFCookie holds the public forms' token, as the registry declares
// it. __Host- (Secure, this host only, path "/") keeps a sibling subdomain
// from planting a token; browsers accept it on http://localhost too, as
// they do the session cookie.
const publicCSRFCookie = "__Host-csrf"

// csrfProtection is Echo's CSRF middleware reading the form field _csrf
// against the __Host-csrf cookie (double submit), with a friendly 403 page.
// A cross-site post must carry the token, which another site cannot read.
func csrfProtection() echo.MiddlewareFunc {
	return middleware.CSRFWithConfig(middleware.CSRFConfig{
		TokenLookup:    "form:" + views.CSRFField,
		CookieName:     publicCSRFCookie,
		CookiePath:     "/",
		CookieMaxAge:   csrfCookieMaxAge,
		CookieHTTPOnly: true,
		CookieSecure:   true,
		CookieSameSite: http.SameSiteLaxMode,
		ContextKey:     "csrf",
		AllowSecFetchSiteFunc: func(echo.Context) (bool, error) {
			return false, nil // fall back to the token, and its friendly error page
		},
		ErrorHandler: func(error, echo.Context) error {
			return echo.NewHTTPError(http.StatusForbidden, views.MsgCSRF)
		},
	})
}

// formRateLimit limits form posts per client address (perMinute, with an
// equal burst) against spam; 0 turns it off (the benchmark).
func formRateLimit(perMinute int) echo.MiddlewareFunc {
	if perMinute <= 0 {
		return func(next echo.HandlerFunc) echo.HandlerFunc { return next }
	}
	store := middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
		Rate: rate.Limit(float64(perMinute) / 60), Burst: perMinute, ExpiresIn: 5 * time.Minute,
	})
	return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Store:               store,
		IdentifierExtractor: func(c echo.Context) (string, error) { return c.RealIP(), nil },
		ErrorHandler: func(echo.Context, error) error {
			return echo.NewHTTPError(http.StatusForbidden, views.MsgBadForm)
		},
		DenyHandler: func(echo.Context, string, error) error {
			return echo.NewHTTPError(http.StatusTooManyRequests, views.MsgRateLimited)
		},
	})
}

// formRoutes registers every form of the registry. The middleware is set
// per route (not on a group, whose catch-all would also wrap 404s): mw on
// every form route (upload limit, then CSRF); on posts the per-address limit
// comes first, so a flood is refused before any body is read and failed
// CSRF posts count too.
func formRoutes(g *echo.Group, h *formsHandler, limit echo.MiddlewareFunc, mw ...echo.MiddlewareFunc) {
	post := append([]echo.MiddlewareFunc{limit}, mw...)
	for _, pu := range h.reg.FormPurposes() {
		path := pu.Form.Path
		g.GET(path, h.showForm(pu), mw...)
		g.POST(path, h.submit(pu), post...)
		g.GET(path+"/sent", h.showSent(pu))
		if pu.Form.DoubleOptIn {
			g.GET(path+"/confirm", h.showConfirm(pu), mw...)
			g.POST(path+"/confirm", h.confirm(pu), post...)
		}
	}
}
