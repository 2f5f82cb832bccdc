package handlers

import (
	"errors"
	"github.com/alegria/privacy-portal/scan"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/alegria/privacy-portal/i18n"
	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/policy"
	"github.com/alegria/privacy-portal/views"
)

// Link kinds signed for the rights desk's emailed links.
const (
	linkRightsDownload = "rights-download"
	linkRightsIdentity = "rights-identity"
)

// rightsHandler is the DPO's rights desk and the two public links it emails
// (the package download, the identity-document upload).
type rightsHandler struct {
	*staffGate
	desk    *models.RightsDesk
	pu      *policy.Purpose
	linkKey []byte
	baseURL string
	scanner scan.Scanner // identity documents are scanned like every upload
}

func newRightsHandler(g *staffGate, desk *models.RightsDesk, pu *policy.Purpose, linkKey []byte, baseURL string, scanner scan.Scanner) *rightsHandler {
	return &rightsHandler{staffGate: g, desk: desk, pu: pu, linkKey: linkKey, baseURL: baseURL, scanner: scanner}
}

func (h *rightsHandler) showQueue(c echo.Context) error {
	f := models.RightsFilter{Status: c.QueryParam("status"), Right: c.QueryParam("right"), Overdue: c.QueryParam("overdue") != "",
		After: c.QueryParam("after")}
	if f.Status != "" && !models.RightsOpen(f.Status) && f.Status != policy.RightsDone && f.Status != policy.RightsRefused {
		f.Status = ""
	}
	if _, ok := h.reg.Right(f.Right); !ok {
		f.Right = ""
	}
	a := h.actor(c)
	page, err := h.desk.Queue(c.Request().Context(), a, f)
	if err != nil {
		return dataError(err)
	}
	v := views.RightsQueueView{Status: f.Status, Right: f.Right, Overdue: f.Overdue, Statuses: policy.RightsRequestStatuses[1:],
		Rights: h.reg.RequestableRights()}
	for _, r := range page.Items {
		v.Rows = append(v.Rows, views.NewRightsQueueRow(c.Request().Context(), h.reg, r, a.Now))
	}
	if page.Next != "" {
		q := c.QueryParams()
		q.Set("after", page.Next)
		v.Next = "/admin/dpo/rights?" + q.Encode()
	}
	return render(c, http.StatusOK, views.AdminRightsQueue(h.page(c, views.TitleRightsQueue), v))
}

func requestID(c echo.Context) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		return id, echo.NewHTTPError(http.StatusNotFound, "")
	}
	return id, nil
}

func (h *rightsHandler) showCase(c echo.Context) error {
	return h.renderCase(c, http.StatusOK, "", nil)
}

func (h *rightsHandler) renderCase(c echo.Context, status int, problem string, fieldErrors map[string]string) error {
	id, err := requestID(c)
	if err != nil {
		return err
	}
	a := h.actor(c)
	rc, err := h.desk.Case(c.Request().Context(), a, id)
	if err != nil {
		return dataError(err)
	}
	v := views.NewRightsCaseView(c.Request().Context(), h.reg, rc, a.Now)
	v.Problem, v.FieldErrors = problem, fieldErrors
	return render(c, status, views.AdminRightsCase(h.page(c, views.TitleRightsCase), v))
}

// action is one DPO action on the request named in the path: done with its
// outcome.
func (h *rightsHandler) action(fn func(c echo.Context, id uuid.UUID) error) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := requestID(c)
		if err != nil {
			return err
		}
		return h.done(c, fn(c, id))
	}
}

// fieldProblems are the rectified fields refused, by field name.
type fieldProblems map[string]string

func (fieldProblems) Error() string { return "handlers: fields refused" }

// done redirects back to the request page after an action (303), or shows
// the page again with the reason an action was refused (422).
func (h *rightsHandler) done(c echo.Context, err error) error {
	var msg string
	var fields fieldProblems
	switch {
	case errors.As(err, &fields):
		return h.renderCase(c, http.StatusUnprocessableEntity, views.MsgRectifyProblems.In(c.Request().Context()), fields)
	case errors.As(err, new(*echo.HTTPError)):
		return err
	case err == nil:
		return c.Redirect(http.StatusSeeOther, "/admin/dpo/rights/"+c.Param("id"))
	case errors.Is(err, models.ErrReasonRequired):
		msg = views.MsgReasonRequired.In(c.Request().Context())
	case errors.Is(err, models.ErrBadMove):
		msg = views.MsgBadMove.In(c.Request().Context())
	case errors.Is(err, models.ErrExtendTooLate):
		msg = views.MsgExtendTooLate.In(c.Request().Context())
	case errors.Is(err, models.ErrAlreadyExtend):
		msg = views.MsgAlreadyExtended.In(c.Request().Context())
	case errors.Is(err, models.ErrClosed):
		msg = views.MsgClosed.In(c.Request().Context())
	case errors.Is(err, models.ErrHeld):
		msg = views.MsgHeld.In(c.Request().Context())
	default:
		return dataError(err)
	}
	return h.renderCase(c, http.StatusUnprocessableEntity, msg, nil)
}

func (h *rightsHandler) moveRequest(c echo.Context, id uuid.UUID) error {
	to, reason := c.FormValue("to"), strings.TrimSpace(c.FormValue("reason"))
	if len(reason) > 2000 || len(c.FormValue("message")) > 5000 {
		return models.ErrReasonRequired
	}
	message := c.FormValue("message")
	compose := func(rc models.RightsCase) models.Email {
		return personEmail(rc, views.AnswerEmail(langOf(rc), h.reg, rc.Email(), rc.Request.Right, to, reason, message))
	}
	return h.desk.Move(c.Request().Context(), h.actor(c), id, to, reason, compose)
}

func (h *rightsHandler) extendRequest(c echo.Context, id uuid.UUID) error {
	reason := strings.TrimSpace(c.FormValue("reason"))
	if len(reason) > 2000 {
		reason = ""
	}
	return h.desk.Extend(c.Request().Context(), h.actor(c), id, reason, func(rc models.RightsCase, due time.Time) models.Email {
		return personEmail(rc, views.ExtensionEmail(langOf(rc), h.reg, rc.Email(), rc.Request.Right, reason, due))
	})
}

// sendPackage builds the access and portability package and emails its
// signed, expiring, single-use link; the request is then answered.
func (h *rightsHandler) sendPackage(c echo.Context, id uuid.UUID) error {
	ctx := c.Request().Context()
	a := h.actor(c)
	rc, err := h.desk.CaseForPackage(ctx, a, id)
	if err != nil {
		return err
	}
	zipped, err := views.PackageZip(ctx, views.NewPackageView(h.reg, rc, a.Now))
	if err != nil {
		return err
	}
	p := models.Package{ID: uuid.New(), Content: zipped, ExpiresAt: a.Now.Add(models.LinkValidity)}
	link := h.baseURL + views.PathIn(langOf(rc), h.pu.Form.Path+"/download") + "?" + models.SignLink(h.linkKey, linkRightsDownload, p.ID, p.ExpiresAt)
	return h.desk.SendPackage(ctx, a, id, p, personEmail(rc, views.PackageEmail(langOf(rc), h.reg, rc.Email(), link, p.ExpiresAt)))
}

// rectify validates the corrected fields exactly as the public form does.
func (h *rightsHandler) rectify(c echo.Context, id uuid.UUID) error {
	recordID, err := uuid.Parse(c.FormValue("record"))
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "")
	}
	ctx := c.Request().Context()
	rc, err := h.desk.CaseForPackage(ctx, h.actor(c), id)
	if err != nil {
		return err
	}
	var purpose *policy.Purpose
	for _, r := range rc.Records {
		if r.ID == recordID {
			purpose, _ = h.reg.Purpose(r.Purpose)
		}
	}
	if purpose == nil || purpose.Form == nil {
		return echo.NewHTTPError(http.StatusNotFound, "")
	}
	form, _ := c.FormParams()
	values, problems := purpose.CheckFields(form, h.now())
	if len(problems) > 0 {
		msgs := fieldProblems{}
		for name, p := range problems {
			msgs[name] = views.FieldProblem(c.Request().Context(), purpose, name, p)
		}
		return msgs
	}
	return h.desk.Rectify(ctx, h.actor(c), id, recordID, values)
}

func (h *rightsHandler) erase(c echo.Context, id uuid.UUID) error {
	_, err := h.desk.Erase(c.Request().Context(), h.actor(c), id)
	return err
}

func (h *rightsHandler) restrict(c echo.Context, id uuid.UUID) error {
	reason := limitText(c.FormValue("reason"), 2000)
	_, err := h.desk.Restrict(c.Request().Context(), h.actor(c), id, c.FormValue("on") != "", reason, func(rc models.RightsCase) models.Email {
		return views.RestrictionLiftedEmail(langOf(rc), h.reg, rc.Email(), reason)
	})
	return err
}

func (h *rightsHandler) object(c echo.Context, id uuid.UUID) error {
	return h.desk.Object(c.Request().Context(), h.actor(c), id)
}

func (h *rightsHandler) withdraw(c echo.Context, id uuid.UUID) error {
	form, _ := c.FormParams()
	var kinds []string
	for _, k := range form["kind"] {
		if len(k) <= 64 && len(kinds) < 32 {
			kinds = append(kinds, k)
		}
	}
	_, err := h.desk.Withdraw(c.Request().Context(), h.actor(c), id, kinds, h.reg.Version)
	return err
}

func (h *rightsHandler) addDirective(c echo.Context, id uuid.UUID) error {
	designated, instructions := strings.TrimSpace(c.FormValue("designated")), strings.TrimSpace(c.FormValue("instructions"))
	if designated == "" || instructions == "" || len(designated) > 500 || len(instructions) > 5000 {
		return models.ErrReasonRequired
	}
	return h.desk.AddDirective(c.Request().Context(), h.actor(c), id, designated, instructions)
}

func (h *rightsHandler) revokeDirective(c echo.Context, id uuid.UUID) error {
	did, err := uuid.Parse(c.Param("directive"))
	if err != nil {
		return echo.NewHTTPError(http.StatusNotFound, "")
	}
	return h.desk.RevokeDirective(c.Request().Context(), h.actor(c), id, did)
}

func (h *rightsHandler) linkCookie(c echo.Context, id uuid.UUID) error {
	cid, err := uuid.Parse(strings.TrimSpace(c.FormValue("consent_id")))
	if err != nil {
		return models.ErrReasonRequired
	}
	return h.desk.LinkCookieProof(c.Request().Context(), h.actor(c), id, cid)
}

func (h *rightsHandler) askIdentity(c echo.Context, id uuid.UUID) error {
	reason := limitText(strings.TrimSpace(c.FormValue("reason")), 2000)
	a := h.actor(c)
	return h.desk.AskIdentity(c.Request().Context(), a, id, reason, func(rc models.RightsCase, doc uuid.UUID) models.Email {
		link := h.baseURL + views.PathIn(langOf(rc), h.pu.Form.Path+"/identity") + "?" + models.SignLink(h.linkKey, linkRightsIdentity, doc, a.Now.Add(models.LinkValidity))
		return personEmail(rc, views.IdentityEmail(langOf(rc), h.reg, rc.Email(), reason, link))
	})
}

func (h *rightsHandler) identityChecked(c echo.Context, id uuid.UUID) error {
	return h.desk.IdentityChecked(c.Request().Context(), h.actor(c), id)
}

func (h *rightsHandler) keepIdentity(c echo.Context, id uuid.UUID) error {
	doc, err := uuid.Parse(c.Param("doc"))
	if err != nil {
		return echo.NewHTTPError(http.StatusNotFound, "")
	}
	return h.desk.KeepIdentity(c.Request().Context(), h.actor(c), id, doc, limitText(c.FormValue("reason"), 2000))
}

// identityFile sends the document to the DPO: never sniffed, never run.
func (h *rightsHandler) identityFile(c echo.Context) error {
	id, err := requestID(c)
	if err != nil {
		return err
	}
	doc, err := uuid.Parse(c.Param("doc"))
	if err != nil {
		return echo.NewHTTPError(http.StatusNotFound, "")
	}
	f, err := h.desk.IdentityFile(c.Request().Context(), h.actor(c), id, doc)
	if err != nil {
		return dataError(err)
	}
	hd := c.Response().Header()
	hd.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Filename}))
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	return c.Blob(http.StatusOK, f.MIME, f.Content)
}

// langOf is the language the person wrote their request in: the desk's
// emails to them are written in it.
func langOf(rc models.RightsCase) i18n.Lang {
	if l, ok := i18n.Parse(rc.Request.Lang); ok {
		return l
	}
	return i18n.Default
}

// personEmail marks e as written in the person's language.
func personEmail(rc models.RightsCase, e models.Email) models.Email {
	e.Lang = langOf(rc).String()
	return e
}

// ---- public links -----------------------------------------------------

func (h *rightsHandler) linkProblem(c echo.Context, err error) error {
	status, msg := http.StatusBadRequest, views.MsgDownloadInvalid
	switch {
	case errors.Is(err, models.ErrLinkExpired):
		status, msg = http.StatusGone, views.MsgDownloadExpired
	case errors.Is(err, models.ErrLinkUsed):
		status, msg = http.StatusGone, views.MsgLinkUsed
	}
	return render(c, status, views.RightsLinkProblem(describedPage(c, tr(c, views.TitleLinkProblem), ""), tr(c, msg), h.reg.DPO.Email))
}

func (h *rightsHandler) verify(c echo.Context, kind string) (uuid.UUID, error) {
	return models.VerifyLink(h.linkKey, kind, c.QueryParams(), h.now())
}

// showDownload offers the package behind a button: opening the link (a mail
// scanner does) uses nothing up.
func (h *rightsHandler) showDownload(c echo.Context) error {
	if _, err := h.verify(c, linkRightsDownload); err != nil {
		return h.linkProblem(c, err)
	}
	action := localPath(c, h.pu.Form.Path+"/download") + "?" + c.QueryString()
	return render(c, http.StatusOK, views.DownloadPage(describedPage(c, tr(c, views.TitleDownload), ""), action, csrfToken(c)))
}

// download hands the package over once.
func (h *rightsHandler) download(c echo.Context) error {
	id, err := h.verify(c, linkRightsDownload)
	if err != nil {
		return h.linkProblem(c, err)
	}
	data, err := h.desk.ClaimPackage(c.Request().Context(), id, h.now())
	if err != nil {
		if errors.Is(err, models.ErrLinkUsed) || errors.Is(err, models.ErrLinkExpired) || errors.Is(err, models.ErrLinkInvalid) {
			return h.linkProblem(c, err)
		}
		return err
	}
	hd := c.Response().Header()
	hd.Set("Cache-Control", "no-store")
	hd.Set("Content-Disposition", `attachment; filename="my-data.zip"`)
	hd.Set("X-Content-Type-Options", "nosniff")
	return c.Blob(http.StatusOK, "application/zip", data)
}

func (h *rightsHandler) identityAction(c echo.Context) string {
	return localPath(c, h.pu.Form.Path+"/identity") + "?" + c.QueryString()
}

func (h *rightsHandler) openSlot(c echo.Context) (uuid.UUID, error) {
	doc, err := h.verify(c, linkRightsIdentity)
	if err != nil {
		return doc, err
	}
	open, err := h.desk.IdentityUploadOpen(c.Request().Context(), doc)
	if err != nil {
		return doc, err
	}
	if !open {
		return doc, models.ErrLinkUsed
	}
	return doc, nil
}

func (h *rightsHandler) identityPage(c echo.Context, status int, problem string) error {
	return render(c, status, views.IdentityUploadPage(describedPage(c, tr(c, views.TitleIdentityUpload), ""), h.identityAction(c), csrfToken(c),
		h.reg.Identity.In(c.Request().Context()), problem))
}

func (h *rightsHandler) showIdentityUpload(c echo.Context) error {
	if _, err := h.openSlot(c); err != nil {
		return h.identityLinkProblem(c, err)
	}
	return h.identityPage(c, http.StatusOK, "")
}

func (h *rightsHandler) identityLinkProblem(c echo.Context, err error) error {
	if errors.Is(err, models.ErrLinkUsed) {
		return render(c, http.StatusGone, views.RightsLinkProblem(describedPage(c, tr(c, views.TitleLinkProblem), ""), tr(c, views.MsgIdentityLinkEnded), h.reg.DPO.Email))
	}
	if errors.Is(err, models.ErrLinkExpired) || errors.Is(err, models.ErrLinkInvalid) {
		return h.linkProblem(c, err)
	}
	return err
}

// uploadIdentity takes the document through the same checks as every
// public form's file (size cap before reading, content sniffing, malware
// scan): see checkedUpload and scanFile.
func (h *rightsHandler) uploadIdentity(c echo.Context) error {
	doc, err := h.openSlot(c)
	if err != nil {
		return h.identityLinkProblem(c, err)
	}
	f := &h.reg.IdentityDocument
	up, prob, err := checkedUpload(f, c.Request().MultipartForm)
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, views.MsgBadForm)
	}
	if prob == "" {
		prob = scanFile(c.Request().Context(), h.scanner, up.Data)
	}
	if prob != "" {
		return h.identityPage(c, http.StatusUnprocessableEntity, views.FileProblem(c.Request().Context(), *f, prob))
	}
	if err := h.desk.UploadIdentity(c.Request().Context(), doc, up, h.now()); err != nil {
		return h.identityLinkProblem(c, err)
	}
	return render(c, http.StatusOK, views.IdentityReceivedPage(describedPage(c, tr(c, views.TitleIdentityUpload), "")))
}

// rightsLinkPaths are the public paths of the emailed links, under the
// rights-request form's path.
func rightsLinkPaths(pu *policy.Purpose) (download, identity string) {
	return pu.Form.Path + "/download", pu.Form.Path + "/identity"
}

// limitText trims a typed reason and bounds it.
func limitText(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		return ""
	}
	return s
}
