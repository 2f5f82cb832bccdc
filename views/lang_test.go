package views

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"maps"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/a-h/templ"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/alegria/privacy-portal/i18n"
	"github.com/alegria/privacy-portal/models"
	"github.com/alegria/privacy-portal/policy"
)

// publicMsgs are the sentences the public pages declare (text_*.go), the
// emails' aside: a French page must show none of them in English.
var publicMsgs = []i18n.Msg{MsgUnknownCookieAction, MsgUnknownCookieCategory, MsgCrossOriginConsent, TitleCookiePreferences, consentGPCTitle, consentGPCText, consentSettingsLink, consentTitle, consentText, consentReadPolicy, consentAcceptAll, consentRejectAll, consentCustomise, consentSave, consentCategories, consentAlwaysOn, consentCookieNames, consentNoCookies, consentSettingsLead, consentSaved, consentCurrent, consentUndecided, consentAllowed, consentHow, consentWhen, consentVersion, consentReference, consentChange, consentWithdrawH, consentWithdrawTxt, consentWithdrawBtn, consentOnlyNeeded, choiceAcceptAll, choiceRejectAll, choiceCustom, choiceWithdraw, choiceGPC, MsgCSRF, MsgRateLimited, MsgBadForm, MsgBadInput, formsTooLarge, TitleFormSent, TitleConfirmEmail, TitleConfirmed, TitleLinkProblem, formsCorrectOne, formsCorrectMany, formsRequiredA, formsRequiredB, formsYourChoices, formsHoneypot, formsChoose, formsAbout, formsWhy, formsBasis, formsHowLong, formsReadPolicyA, formsPolicy, formsReadPolicyB, formsHowRights, formsMaxSize, formsCheckInbox, formsLinkSent, formsWhatStored, formsEncrypted, formsForHowLong, formsYourRights, formsRightsText, formsRightsForm, formsOrRead, formsConfirm, formsDue, formsLinkExpired, formsLinkBroken, formsFillAgain, formsQuizAnswers, formsConsentKept, problemChooseRequired, problemFillRequired, problemTooLong, problemBadText, problemOneLine, problemEmail, problemPhone, problemNumber, problemRange, problemRangeAny, problemChoice, problemDateTime, problemPast, problemTooFar, problemFileType, problemFileTooLarge, problemFileArchive, problemFileEmpty, problemFileUnreadable, problemFileInfected, problemFileUnscanned, problemConsentRequired, problemOther, problemAnswer, problemAnswerChoice, formsBytes, formsMegabytes, homeLead, homeOffer, homeGetStarted, homeYourData, homeEveryForm, homePolicy, homeAnd, homeCookies, homeOr, homeRights, homeAnyTime, layoutSkip, layoutNavMain, layoutNavLegal, layoutNavLanguage, layoutHome, layoutPrivacy, layoutPrivacyPolicy, layoutCookies, layoutCookieChoice, layoutLegalNotice, layoutYourRights, componentScrollHint, componentOnThisPage, TitleHome, DescHome, DescPrivacy, DescCookies, DescCookiePreferences, DescFormReply, TitlePrivacy, TitleCookies, TitleNotFound, TitleError, errorLabel, errorBackHome, errorNotFound, errorForbidden, errorSignIn, errorMethod, errorTooLarge, errorTooMany, errorUnavailable, errorClient, errorServer, errorMsgNotFound, errorMsgForbidden, errorMsgTooMany, errorMsgClient, errorMsgServer, TitlePreferences, TitlePreferencesLink, TitlePreferencesSent, DescPreferences, MsgPreferencesLinkBad, MsgPreferencesLinkExpired, MsgPreferencesEmail, MsgUnsubscribed, prefsAskLink, prefsEmail, prefsSendLink, prefsSent, prefsWithdrawn, prefsObjected, prefsNone, prefsLead, prefsAgreed, prefsWithdraw, prefsNotGiven, prefsMarketing, prefsObjectedOn, prefsCanObject, prefsObject, prefsNoChannel, TitleDownload, TitleIdentityUpload, MsgIdentityUploaded, MsgLinkUsed, MsgDownloadExpired, MsgDownloadInvalid, MsgIdentityLinkEnded, rightsDataReady, rightsDownload, rightsDPO, rightsDocument, rightsSend}

func init() { publicMsgs = slices.AppendSeq(publicMsgs, maps.Values(channelLabels)) }

// publicPages are the pages of the public site this package renders (the
// privacy and cookie pages aside: the registry's texts), in every state
// that shows other sentences.
func publicPages(t *testing.T, reg *policy.Registry, l i18n.Lang) map[string]templ.Component {
	t.Helper()
	mk := func(path string) Page {
		return Page{Title: "t", Path: path, RightsPath: "/rights", Base: "https://portal.example"}
	}
	out := map[string]templ.Component{
		"home":              HomePage(mk("/"), reg),
		"not found":         ErrorPage(mk("/x"), http.StatusNotFound, ""),
		"error":             ErrorPage(mk("/x"), http.StatusInternalServerError, ""),
		"too many":          ErrorPage(mk("/x"), http.StatusTooManyRequests, ""),
		"preferences link":  PreferencesRequestPage(mk("/preferences"), "tok", ""),
		"preferences sent":  PreferencesSentPage(mk("/preferences/link")),
		"download":          DownloadPage(mk("/rights/download"), PathIn(l, "/rights/download?x"), "tok"),
		"identity":          IdentityUploadPage(mk("/rights/identity"), PathIn(l, "/rights/identity?x"), "tok", reg.Identity.Get(l), ""),
		"identity received": IdentityReceivedPage(mk("/rights/identity")),
		"rights link":       RightsLinkProblem(mk("/rights/download"), "", reg.DPO.Email),
	}
	at := time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)
	out["preferences"] = PreferencesPage(mk("/preferences"), PreferencesView{Query: "p=1",
		Boxes: []PreferenceBox{{Purpose: "newsletter", PurposeTitle: "N", Kind: "newsletter", Label: "L", Channel: policy.ChannelEmail, Granted: true, Answered: true, At: at},
			{Purpose: "quote", PurposeTitle: "Q", Kind: "sms", Label: "L", Channel: policy.ChannelSMS, Answered: true, At: at}},
		Channels: []ChannelObjection{{Channel: policy.ChannelEmail, At: at}}, Done: DoneWithdrawn})
	out["preferences objected"] = PreferencesPage(mk("/preferences"), PreferencesView{Objected: true, ObjectedAt: at, Done: DoneObjected})
	undecided := ConsentState{Registry: reg}
	banner := mk("/cookies/preferences")
	banner.Banner, banner.Consent = ConsentBanner(undecided), undecided
	out["cookie settings, banner open"] = CookiePreferencesPage(banner, undecided, PathIn(l, "/cookies/preferences?saved=1"), false)
	gpc := ConsentState{Registry: reg, Decided: true, Action: "gpc", At: at, PolicyVersion: reg.Version, ConsentID: "id", GPCHonoured: true}
	notice := mk("/cookies/preferences")
	notice.Banner, notice.Consent = ConsentBanner(gpc), gpc
	out["cookie settings, GPC"] = CookiePreferencesPage(notice, gpc, "/", true)
	for _, pu := range reg.FormPurposes() {
		st := FormState{Problems: map[string]policy.Problem{}, Values: map[string]string{}}
		for _, f := range pu.Form.Fields {
			st.Problems[f.Name] = policy.ProblemRequired
		}
		for _, c := range pu.Form.Consents {
			st.Problems[policy.ConsentField(c.Kind)] = policy.ProblemConsentRequired
		}
		if q := pu.Form.Quiz; q != nil {
			for _, qu := range q.Questions {
				st.Problems[qu.Name] = policy.ProblemRequired
			}
		}
		out["form "+pu.Key] = FormPage(mk(pu.Form.Path), pu, st)
		out["sent "+pu.Key] = FormSentPage(mk(pu.Form.Path+"/sent"), reg, pu)
		if pu.Form.DoubleOptIn {
			out["confirm "+pu.Key] = ConfirmLinkPage(mk(pu.Form.Path+"/confirm"), pu, PathIn(l, pu.Form.Path+"/confirm?x"), "tok")
			out["confirmed "+pu.Key] = ConfirmedPage(mk(pu.Form.Path+"/confirm"), reg, pu, &at, &at)
			out["expired "+pu.Key] = LinkProblemPage(mk(pu.Form.Path+"/confirm"), pu, true)
			out["broken "+pu.Key] = LinkProblemPage(mk(pu.Form.Path+"/confirm"), pu, false)
		}
	}
	return out
}

// Every public page this package renders says its language, names its
// twin in the other language (hreflang), links within its language, and in
// French shows none of its own sentences in English.
func TestPublicPagesInBothLanguages(t *testing.T) {
	reg := defaultRegistry(t)
	// Any text of the English page found again on the French one is English
	// left behind, whichever code wrote it (page, registry or helper), unless
	// it is a name said the same in both languages.
	en, fr := publicPages(t, reg, i18n.EN), publicPages(t, reg, i18n.FR)
	for name := range fr {
		if left := englishLeftIn(t, en[name], fr[name], append(neutralNames(reg), "© "+reg.Controller.Name, "t · "+reg.Controller.Name)...); len(left) > 0 {
			t.Errorf("%s: English left on the French page:\n%s", name, strings.Join(left, "\n"))
		}
	}
	// The registry's own texts are English until it is bilingual: its
	// words are not this package's.
	registryText, err := os.ReadFile("../policy/registry.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range i18n.All {
		for name, c := range publicPages(t, reg, l) {
			t.Run(name+"/"+l.String(), func(t *testing.T) {
				var buf bytes.Buffer
				if err := c.Render(i18n.WithLang(context.Background(), l), &buf); err != nil {
					t.Fatal(err)
				}
				doc, err := html.Parse(&buf)
				if err != nil {
					t.Fatal(err)
				}
				var text strings.Builder
				hreflang := map[string]string{}
				for n := range doc.Descendants() {
					switch {
					case n.Type == html.TextNode:
						text.WriteString(n.Data + " ")
					case n.DataAtom == atom.Html && attr(n, "lang") != l.String():
						t.Errorf("<html lang=%q>, want %s", attr(n, "lang"), l)
					case n.DataAtom == atom.Link && attr(n, "rel") == "alternate":
						hreflang[attr(n, "hreflang")] = attr(n, "href")
					case n.DataAtom == atom.A || n.DataAtom == atom.Form:
						href := attr(n, "href") + attr(n, "action")
						if strings.HasPrefix(href, "/") && !strings.HasPrefix(href, "/"+l.String()+"/") && !hasAttr(n, "data-lang-switch") && href != "/consent" {
							t.Errorf("a link leaves the language: %q", href)
						}
					}
					for _, a := range n.Attr { // labels read aloud count too
						if a.Key == "aria-label" || a.Key == "placeholder" || a.Key == "title" {
							text.WriteString(a.Val + " ")
						}
					}
				}
				base := "https://portal.example"
				path := strings.TrimPrefix(hreflang["x-default"], base)
				if hreflang["fr"] != base+"/fr"+path || hreflang["en"] != base+"/en"+path || !strings.HasPrefix(hreflang["x-default"], base+"/") {
					t.Errorf("hreflang alternates %v", hreflang)
				}
				if l != i18n.FR {
					return
				}
				page := text.String()
				for _, m := range publicMsgs {
					en, fr := m.Get(i18n.EN), m.Get(i18n.FR)
					if en == fr {
						continue
					}
					if i := strings.Index(en, "%"); i >= 0 {
						en = en[:i]
					}
					if len(en) >= 10 && strings.Contains(page, en) && !bytes.Contains(registryText, []byte(en)) {
						t.Errorf("English on the French page: %q", en)
					}
				}
			})
		}
	}
}

// The access package speaks the language the person wrote their request in:
// its summary, the registry's facts, the field labels and the consents.
func TestAccessPackageInThePersonsLanguage(t *testing.T) {
	reg := defaultRegistry(t)
	contact, _ := reg.Purpose("contact")
	at := time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)
	summary := func(l i18n.Lang) (PackageView, string) {
		c := models.RightsCase{Request: models.RightsDetail{Lang: l.String()},
			Records: []models.PersonRecord{{Purpose: contact.Key, Fields: models.Fields{"email": "lea@example.org", "message": "Bonjour"},
				CreatedAt: at, LastContactAt: at, ExpiresAt: at.AddDate(3, 0, 0)}}}
		for _, c2 := range contact.Form.Consents {
			c.Consents = append(c.Consents, models.ConsentEntry{At: at, Purpose: contact.Key, Kind: c2.Kind, Granted: true})
		}
		p := NewPackageView(reg, c, at)
		zipped, err := PackageZip(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := zip.NewReader(bytes.NewReader(zipped), int64(len(zipped)))
		if err != nil {
			t.Fatal(err)
		}
		rc, err := zr.Open("summary.html")
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		b, _ := io.ReadAll(rc)
		return p, string(b)
	}
	enView, en := summary(i18n.EN)
	frView, fr := summary(i18n.FR)
	if !strings.Contains(fr, `<html lang="fr">`) || !strings.Contains(fr, RetentionText(contact.Retention).FR) || !strings.Contains(fr, contact.Title.FR) {
		t.Errorf("the French package is not in French:\n%s", fr)
	}
	if frView.Items[0].Retention == enView.Items[0].Retention || frView.Items[0].Origin == enView.Items[0].Origin {
		t.Error("data.json keeps the English facts for a French request")
	}
	for _, s := range strings.Split(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(en, "\n"), "\n") {
		s = strings.TrimSpace(s)
		if len(s) >= 12 && strings.Contains(fr, s) && !strings.Contains(s, "@") && !strings.Contains(s, reg.Controller.Name) {
			t.Errorf("English left in the French package: %q", s)
		}
	}
}

// A French visitor's receipt says the registry's facts in French, and the
// DPO's reminder is written in French, then in English, like every staff
// email.
func TestEmailsSayTheRegistryInTheirLanguage(t *testing.T) {
	reg := defaultRegistry(t)
	contact, _ := reg.Purpose("contact")
	_, fr := ReceiptEmail(i18n.FR, reg, contact, "https://portal.example")
	_, en := ReceiptEmail(i18n.EN, reg, contact, "https://portal.example")
	if !strings.Contains(fr, RetentionText(contact.Retention).FR) || strings.Contains(fr, RetentionText(contact.Retention).EN) ||
		!strings.Contains(en, RetentionText(contact.Retention).EN) {
		t.Errorf("the receipt's retention is not in its language:\n%s", fr)
	}
	due := time.Date(2027, 2, 28, 9, 0, 0, 0, time.UTC)
	m := ReminderEmail(reg, "https://portal.example", models.Reminder{Kind: models.Remind7d,
		Row: models.RightsRow{Right: "access", DueAt: due}})
	for _, want := range []string{"arrive à échéance dans 7 jours", "is due in 7 days", "28 févr. 2027", "28 Feb 2027"} {
		if !strings.Contains(m.Body+m.Subject, want) {
			t.Errorf("the reminder lacks %q:\n%s\n%s", want, m.Subject, m.Body)
		}
	}
}
