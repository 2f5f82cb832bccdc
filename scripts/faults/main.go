// Command faults measures what the portal does when things fail under load
// (make faults): every write it acknowledged must be in the database
// afterwards, an outage must be answered quickly (503 within 5 s, never a
// hang) and the site must recover by itself.
//
// It runs bin/portal against its own PostgreSQL cluster (.data/faults-pg),
// on loopback only, with a steady load of unique cookie choices (POST
// /consent; each answer's cookie names the new consent id) and contact forms
// (POST /contact; each with its own email address, found afterwards by its
// blind index), through three scenarios:
//
//	(a) PostgreSQL killed with SIGKILL mid-run, restarted 10 s later;
//	(b) the portal killed with SIGKILL and restarted;
//	(c) SIGTERM with slow requests in flight.
//
// It prints figures; it exits non-zero only when it could not run. Whether
// the figures are good is for the reader (and the summary line) to say.
package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/alegria/privacy-portal/vault"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "faults:", err)
		os.Exit(1)
	}
}

type options struct {
	portal, dataDir, pgDir string
	consentWorkers         int
	contactWorkers         int
	warmup, outage, after  time.Duration
}

func run() error {
	var o options
	flag.StringVar(&o.portal, "portal", "bin/portal", "the portal binary (make build)")
	flag.StringVar(&o.dataDir, "dir", ".data/faults", "keys and logs")
	flag.StringVar(&o.pgDir, "pg", ".data/faults-pg", "the PostgreSQL cluster directory")
	flag.IntVar(&o.consentWorkers, "consent-workers", 4, "concurrent cookie-choice posters")
	flag.IntVar(&o.contactWorkers, "contact-workers", 2, "concurrent contact-form posters")
	flag.DurationVar(&o.warmup, "warmup", 4*time.Second, "load before each fault")
	flag.DurationVar(&o.outage, "pg-down", 10*time.Second, "how long PostgreSQL stays down in (a)")
	flag.DurationVar(&o.after, "after", 6*time.Second, "load after each recovery")
	flag.Parse()

	h, err := newHarness(o)
	if err != nil {
		return err
	}
	defer h.close()

	start := time.Now()
	results := []*report{h.postgresKilled(), h.portalKilled(), h.sigterm()}
	fmt.Printf("\n== summary (%.0fs) ==\n", time.Since(start).Seconds())
	for _, r := range results {
		fmt.Println(r.summary())
	}
	return nil
}

// harness owns the cluster, the portal process and the load.
type harness struct {
	o       options
	env     map[string]string // DATABASE_URL, MIGRATE_DATABASE_URL, …
	base    string            // http://127.0.0.1:PORT
	addr    string
	keysDir string
	vault   *vault.Vault
	runID   string

	mu     sync.Mutex
	portal *exec.Cmd
	exited chan error
}

func newHarness(o options) (*harness, error) {
	h := &harness{o: o, keysDir: filepath.Join(o.dataDir, "keys"), runID: strconv.FormatInt(time.Now().UnixNano(), 36)}
	if err := os.MkdirAll(o.dataDir, 0o700); err != nil {
		return nil, err
	}
	if err := h.pgcluster("start"); err != nil {
		return nil, err
	}
	env, err := readEnv(filepath.Join(o.pgDir, "env"))
	if err != nil {
		return nil, err
	}
	h.env = env
	port, err := freePort(24080, 24999)
	if err != nil {
		return nil, err
	}
	h.addr = "127.0.0.1:" + strconv.Itoa(port)
	h.base = "http://" + h.addr
	if out, err := h.command("migrate").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("portal migrate: %v\n%s", err, out)
	}
	if err := h.startPortal(); err != nil {
		return nil, err
	}
	// The portal created its keysets on first start; the blind index of each
	// posted email address is how the contact forms are found afterwards.
	if h.vault, err = vault.Open(h.keysDir); err != nil {
		return nil, err
	}
	fmt.Printf("faults: portal %s on %s, PostgreSQL in %s (port %s), run %s\n", o.portal, h.base, o.pgDir, env["PGCLUSTER_PORT"], h.runID)
	return h, nil
}

func (h *harness) close() {
	h.stopPortal(syscall.SIGTERM, 30*time.Second)
	_ = h.pgcluster("stop")
}

func (h *harness) pgcluster(cmd string) error {
	c := exec.Command("scripts/pgcluster", cmd, h.o.pgDir)
	c.Env = append(os.Environ(), "PGCLUSTER_PORT=27432")
	if out, err := c.CombinedOutput(); err != nil {
		return fmt.Errorf("pgcluster %s: %v\n%s", cmd, err, out)
	}
	return nil
}

func (h *harness) command(args ...string) *exec.Cmd {
	c := exec.Command(h.o.portal, args...)
	c.Env = append(os.Environ(),
		"DATABASE_URL="+h.env["DATABASE_URL"],
		"MIGRATE_DATABASE_URL="+h.env["MIGRATE_DATABASE_URL"],
		"PORTAL_ADDR="+h.addr,
		"PORTAL_BASE_URL="+h.base,
		"PORTAL_KEYS_DIR="+h.keysDir,
		"PORTAL_CREATE_KEYS=1",
		"PORTAL_BENCH=1",     // no consent rate limit from one address
		"PORTAL_FORM_RATE=0", // nor a form one
		"PORTAL_SCAN=off",    // the load sends no files
		"PORTAL_METRICS_ADDR=off",
		"PORTAL_DRAIN_DELAY=2s", // readiness 503 for 2 s before the listener closes
	)
	return c
}

func (h *harness) startPortal() error {
	logf, err := os.OpenFile(filepath.Join(h.o.dataDir, "portal.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	c := h.command("serve")
	c.Stdout, c.Stderr = logf, logf
	if err := c.Start(); err != nil {
		_ = logf.Close()
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- c.Wait(); _ = logf.Close() }()
	h.mu.Lock()
	h.portal, h.exited = c, exited
	h.mu.Unlock()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if st, _ := h.ready(); st == http.StatusOK {
			return nil
		}
		select {
		case err := <-exited:
			return fmt.Errorf("the portal exited at start: %v (see %s/portal.log)", err, h.o.dataDir)
		case <-time.After(100 * time.Millisecond):
		}
	}
	return fmt.Errorf("the portal is not ready after 30s (see %s/portal.log)", h.o.dataDir)
}

// stopPortal signals the portal and waits for it; it returns the exit
// status and how long it took.
func (h *harness) stopPortal(sig syscall.Signal, wait time.Duration) (string, time.Duration) {
	h.mu.Lock()
	c, exited := h.portal, h.exited
	h.portal = nil
	h.mu.Unlock()
	if c == nil {
		return "not running", 0
	}
	start := time.Now()
	_ = c.Process.Signal(sig)
	select {
	case err := <-exited:
		return exitStatus(err), time.Since(start)
	case <-time.After(wait):
		_ = c.Process.Kill()
		<-exited
		return fmt.Sprintf("still running after %v: killed", wait), time.Since(start)
	}
}

func exitStatus(err error) string {
	var ee *exec.ExitError
	switch {
	case err == nil:
		return "exit 0"
	case errors.As(err, &ee):
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return fmt.Sprintf("killed by signal %d (%s)", int(ws.Signal()), ws.Signal())
		}
		return fmt.Sprintf("exit %d", ee.ExitCode())
	default:
		return err.Error()
	}
}

var probe = &http.Client{Timeout: 3 * time.Second}

// ready asks /readyz; status 0 is no answer.
func (h *harness) ready() (int, string) {
	res, err := probe.Get(h.base + "/readyz")
	if err != nil {
		return 0, errKind(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(res.Body, 512))
	return res.StatusCode, strings.TrimSpace(string(b))
}

// killPostgres SIGKILLs the postmaster and every process it started, as a
// crash or the OOM killer would.
func (h *harness) killPostgres() error {
	b, err := os.ReadFile(filepath.Join(h.o.pgDir, "pgdata", "postmaster.pid"))
	if err != nil {
		return err
	}
	pid, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
	if err != nil {
		return err
	}
	children := childrenOf(pid)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		return err
	}
	for _, c := range children {
		_ = syscall.Kill(c, syscall.SIGKILL)
	}
	return nil
}

func childrenOf(pid int) []int {
	entries, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid …: comm may hold spaces, so split after the last ')'.
		s := string(b)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(f) > 1 && f[1] == strconv.Itoa(pid) {
			out = append(out, p)
		}
	}
	return out
}

// ---- load -----------------------------------------------------------------

type result struct {
	kind    string // consent | contact | slow-contact
	start   time.Time
	latency time.Duration
	status  int    // 0: no HTTP answer
	failure string // for status 0: refused, reset, timeout, …
	marker  string // consent id or email address
	acked   bool
}

type load struct {
	h       *harness
	tag     string // the scenario, in every email address: each one is unique across the run
	mu      sync.Mutex
	results []result
	stop    chan struct{}
	wg      sync.WaitGroup
	seq     int64
}

func (h *harness) startLoad(tag string) *load {
	l := &load{h: h, tag: tag, stop: make(chan struct{})}
	for i := 0; i < h.o.consentWorkers; i++ {
		l.wg.Add(1)
		go l.consentWorker()
	}
	for i := 0; i < h.o.contactWorkers; i++ {
		l.wg.Add(1)
		go l.contactWorker(i)
	}
	return l
}

func (l *load) finish() []result {
	close(l.stop)
	l.wg.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]result(nil), l.results...)
}

func (l *load) record(r result) {
	l.mu.Lock()
	l.results = append(l.results, r)
	l.mu.Unlock()
}

func (l *load) stopped() bool {
	select {
	case <-l.stop:
		return true
	default:
		return false
	}
}

// A request that takes longer than this is a hang.
const clientTimeout = 15 * time.Second

func newClient(jar http.CookieJar) *http.Client {
	return &http.Client{
		Timeout:       clientTimeout,
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport:     &http.Transport{MaxIdleConnsPerHost: 4, DialContext: (&net.Dialer{Timeout: 3 * time.Second}).DialContext},
	}
}

// consentWorker posts first-time visitors' choices: no cookie, so each
// answer carries a new consent id in its cookie.
func (l *load) consentWorker() {
	defer l.wg.Done()
	c := newClient(nil)
	for !l.stopped() {
		req, _ := http.NewRequest(http.MethodPost, l.h.base+"/consent", strings.NewReader("action=accept_all&return_to=%2F"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", l.h.base)
		r := result{kind: "consent", start: time.Now()}
		res, err := c.Do(req)
		r.latency = time.Since(r.start)
		if err != nil {
			r.failure = errKind(err)
		} else {
			r.status = res.StatusCode
			_, _ = io.Copy(io.Discard, res.Body)
			_ = res.Body.Close()
			if res.StatusCode == http.StatusSeeOther || res.StatusCode/100 == 2 {
				r.acked = true
				r.marker = consentID(res)
			}
		}
		l.record(r)
		pause(r, 5*time.Millisecond)
	}
}

// consentID reads the consent id from the signed (not encrypted) cookie:
// securecookie's value is base64(date|base64(json)|mac).
func consentID(res *http.Response) string {
	for _, ck := range res.Cookies() {
		if ck.Name != "portal_consent" {
			continue
		}
		raw, err := base64.URLEncoding.DecodeString(ck.Value)
		if err != nil {
			return ""
		}
		parts := strings.SplitN(string(raw), "|", 3)
		if len(parts) < 2 {
			return ""
		}
		js, err := base64.URLEncoding.DecodeString(parts[1])
		if err != nil {
			return ""
		}
		var v struct {
			ID string `json:"i"`
		}
		if json.Unmarshal(js, &v) == nil {
			return v.ID
		}
	}
	return ""
}

var csrfRE = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// contactWorker fetches the form (CSRF token and cookie), then posts it
// again and again, each time with a new email address.
func (l *load) contactWorker(w int) {
	defer l.wg.Done()
	jar, _ := cookiejar.New(nil)
	c := newClient(jar)
	token := ""
	for !l.stopped() {
		if token == "" {
			token = l.fetchToken(c)
			if token == "" {
				time.Sleep(200 * time.Millisecond)
				continue
			}
		}
		l.mu.Lock()
		l.seq++
		n := l.seq
		l.mu.Unlock()
		email := fmt.Sprintf("faults-%s-%s-%d-%d@example.org", l.h.runID, l.tag, w, n)
		r := l.postContact(c, token, email, nil)
		if r.status == http.StatusForbidden {
			token = "" // a new token, then go on
		}
		l.record(r)
		pause(r, 10*time.Millisecond)
	}
}

func (l *load) fetchToken(c *http.Client) string {
	res, err := c.Get(l.h.base + "/contact")
	if err != nil {
		return ""
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if m := csrfRE.FindSubmatch(b); m != nil && res.StatusCode == http.StatusOK {
		return string(m[1])
	}
	return ""
}

func contactBody(token, email string) string {
	return url.Values{
		"_csrf": {token}, "last_name": {"Faults"}, "first_name": {"Harness"}, "email": {email},
		"message": {"Hello, I would like to know more about your courses."}, "consent_processing": {"yes"},
	}.Encode()
}

// postContact posts one form; slow, when set, sends the body a few bytes at
// a time over that duration (a visitor on a bad link).
func (l *load) postContact(c *http.Client, token, email string, slow *time.Duration) result {
	body := contactBody(token, email)
	var rd io.Reader = strings.NewReader(body)
	kind := "contact"
	if slow != nil {
		kind = "slow-contact"
		rd = &trickle{data: []byte(body), every: *slow / time.Duration(len(body)/8+1)}
	}
	req, _ := http.NewRequest(http.MethodPost, l.h.base+"/contact", rd)
	req.ContentLength = int64(len(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", l.h.base)
	r := result{kind: kind, start: time.Now(), marker: email}
	res, err := c.Do(req)
	r.latency = time.Since(r.start)
	if err != nil {
		r.failure = errKind(err)
		return r
	}
	r.status = res.StatusCode
	_, _ = io.Copy(io.Discard, res.Body)
	_ = res.Body.Close()
	r.acked = res.StatusCode == http.StatusSeeOther && strings.HasSuffix(res.Header.Get("Location"), "/sent")
	return r
}

// trickle yields 8 bytes per read, sleeping between reads.
type trickle struct {
	data  []byte
	every time.Duration
}

func (t *trickle) Read(p []byte) (int, error) {
	if len(t.data) == 0 {
		return 0, io.EOF
	}
	time.Sleep(t.every)
	n := copy(p[:min(len(p), 8)], t.data)
	t.data = t.data[n:]
	return n, nil
}

// pause keeps the load steady and, when the site fails fast, keeps the
// failing loop from spinning.
func pause(r result, d time.Duration) {
	if r.status == 0 || r.status >= 500 {
		d = 50 * time.Millisecond
	}
	time.Sleep(d)
}

func errKind(err error) string {
	var ne net.Error
	s := err.Error()
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case strings.Contains(s, "connection refused"):
		return "refused"
	case strings.Contains(s, "connection reset"):
		return "reset"
	case strings.Contains(s, "EOF"):
		return "closed (EOF)"
	default:
		return "error"
	}
}

// readyLog polls /readyz every 200 ms.
type readyLog struct {
	mu      sync.Mutex
	samples []readySample
	stop    chan struct{}
	done    chan struct{}
}

type readySample struct {
	at     time.Time
	status int
	body   string
}

func (h *harness) pollReady(every time.Duration) *readyLog {
	rl := &readyLog{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(rl.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			st, body := h.ready()
			rl.mu.Lock()
			rl.samples = append(rl.samples, readySample{time.Now(), st, body})
			rl.mu.Unlock()
			select {
			case <-rl.stop:
				return
			case <-t.C:
			}
		}
	}()
	return rl
}

func (rl *readyLog) finish() []readySample {
	close(rl.stop)
	<-rl.done
	return rl.samples
}

// ---- accounting ------------------------------------------------------------

type count struct{ acked, found, lost, storedUnacked, unacked int }

// account checks every acknowledged marker against the database, as the
// owner role (no row-level security on cookie_consents; records is scoped
// to the contact purpose for the session).
func (h *harness) account(results []result) (map[string]*count, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, h.env["MIGRATE_DATABASE_URL"])
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "SELECT set_config('portal.purposes', 'contact', false)"); err != nil {
		return nil, err
	}
	counts := map[string]*count{}
	var consentIDs []string
	var indexes [][]byte
	for _, r := range results {
		c := counts[r.kind]
		if c == nil {
			c = &count{}
			counts[r.kind] = c
		}
		if r.acked {
			c.acked++
		} else {
			c.unacked++
		}
		if r.marker == "" {
			continue
		}
		if r.kind == "consent" {
			consentIDs = append(consentIDs, r.marker)
		} else {
			indexes = append(indexes, h.vault.BlindIndex(vault.KindEmail, r.marker))
		}
	}
	found := map[string]bool{}
	queries := []struct {
		prefix, sql string
		arg         any
	}{
		{"consent:", "SELECT DISTINCT consent_id::text FROM cookie_consents WHERE consent_id = ANY($1::uuid[])", consentIDs},
		{"contact:", `SELECT DISTINCT encode(s.email_index, 'hex') FROM subjects s JOIN records r ON r.subject_id = s.id
			WHERE r.purpose = 'contact' AND s.email_index = ANY($1)`, indexes},
	}
	for _, q := range queries {
		rows, err := conn.Query(ctx, q.sql, q.arg)
		if err != nil {
			return nil, err
		}
		keys, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			found[q.prefix+k] = true
		}
	}
	for _, r := range results {
		if r.marker == "" {
			continue
		}
		key := "consent:" + r.marker
		if r.kind != "consent" {
			key = fmt.Sprintf("contact:%x", h.vault.BlindIndex(vault.KindEmail, r.marker))
		}
		c := counts[r.kind]
		switch {
		case r.acked && found[key]:
			c.found++
		case r.acked:
			c.lost++
		case found[key]:
			c.storedUnacked++
		}
	}
	return counts, nil
}

// ---- scenarios -------------------------------------------------------------

type report struct {
	name  string
	lines []string
	lost  int
	bad   []string // what failed the expectations
}

func (r *report) printf(format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	r.lines = append(r.lines, line)
	fmt.Println(line)
}

func (r *report) fail(msg string) { r.bad = append(r.bad, msg) }

func (r *report) summary() string {
	if len(r.bad) == 0 {
		return fmt.Sprintf("%-44s ok (lost 0)", r.name)
	}
	return fmt.Sprintf("%-44s PROBLEMS: %s", r.name, strings.Join(r.bad, "; "))
}

func (h *harness) postgresKilled() *report {
	return h.outage("(a) PostgreSQL SIGKILL, restarted 10s later", "a", func(r *report) {
		if err := h.killPostgres(); err != nil {
			r.printf("could not kill PostgreSQL: %v", err)
			r.fail("kill failed")
		}
		time.Sleep(h.o.outage)
		restartAt := time.Now()
		if err := h.pgcluster("start"); err != nil {
			r.printf("PostgreSQL did not restart: %v", err)
			r.fail("PostgreSQL did not restart")
		}
		r.printf("PostgreSQL killed at +%.1fs, restarted %.1fs later (start took %.1fs)", h.o.warmup.Seconds(),
			h.o.outage.Seconds(), time.Since(restartAt).Seconds())
	})
}

func (h *harness) portalKilled() *report {
	return h.outage("(b) portal SIGKILL, restarted", "b", func(r *report) {
		status, _ := h.stopPortal(syscall.SIGKILL, 10*time.Second)
		restartAt := time.Now()
		if err := h.startPortal(); err != nil {
			r.printf("the portal did not restart: %v", err)
			r.fail("portal did not restart")
		}
		r.printf("portal killed at +%.1fs (%s), restarted and ready after %.1fs", h.o.warmup.Seconds(), status, time.Since(restartAt).Seconds())
	})
}

// outage runs the load, applies fault (which returns once the failed part
// is back), then reports what the site answered meanwhile and what was lost.
func (h *harness) outage(name, tag string, fault func(*report)) *report {
	r := &report{name: name}
	fmt.Printf("\n== %s ==\n", r.name)
	l := h.startLoad(tag)
	rl := h.pollReady(200 * time.Millisecond)
	time.Sleep(h.o.warmup)
	down := time.Now()
	fault(r)
	back := time.Now()
	recovered := h.waitRecovered(l, back, 20*time.Second)
	time.Sleep(h.o.after)
	results := l.finish()
	samples := rl.finish()
	h.outageFigures(r, results, samples, down, back, recovered)
	h.lossFigures(r, results)
	return r
}

func (h *harness) sigterm() *report {
	r := &report{name: "(c) SIGTERM with slow requests in flight"}
	fmt.Printf("\n== %s ==\n", r.name)
	l := h.startLoad("c")
	time.Sleep(h.o.warmup)

	// Slow visitors: each form body trickles in over 4 s.
	const slowN = 3
	slowDur := 4 * time.Second
	slowRes := make(chan result, slowN)
	for i := 0; i < slowN; i++ {
		go func(i int) {
			jar, _ := cookiejar.New(nil)
			c := newClient(jar)
			token := l.fetchToken(c)
			email := fmt.Sprintf("faults-%s-c-slow-%d@example.org", h.runID, i)
			slowRes <- l.postContact(c, token, email, &slowDur)
		}(i)
	}
	time.Sleep(time.Second)
	rl := h.pollReady(100 * time.Millisecond)
	termAt := time.Now()
	h.mu.Lock()
	c, exited := h.portal, h.exited
	h.portal = nil
	h.mu.Unlock()
	_ = c.Process.Signal(syscall.SIGTERM)
	var exit string
	select {
	case err := <-exited:
		exit = exitStatus(err)
	case <-time.After(40 * time.Second):
		_ = c.Process.Kill()
		exit = "still running 40s after SIGTERM: killed"
		<-exited
	}
	exitAfter := time.Since(termAt)
	samples := rl.finish()
	var slow []result
	for i := 0; i < slowN; i++ {
		slow = append(slow, <-slowRes)
	}
	results := l.finish()
	r.printf("SIGTERM at +%.1fs with %d slow form posts in flight (bodies trickling over %v): %s after %.2fs",
		h.o.warmup.Seconds()+1, slowN, slowDur, exit, exitAfter.Seconds())
	if exit != "exit 0" {
		r.fail("exit status: " + exit)
	}
	for i, s := range slow {
		out := s.failure
		if s.status != 0 {
			out = strconv.Itoa(s.status)
		}
		r.printf("  slow request %d: %s after %.2fs (acknowledged: %v)", i+1, out, s.latency.Seconds(), s.acked)
		if !s.acked {
			r.fail("a slow request in flight was not completed")
		}
	}
	// /readyz between SIGTERM and exit: it should turn 503 before the listener closes.
	var seq []string
	for _, s := range samples {
		v := strconv.Itoa(s.status)
		if s.status == 0 {
			v = s.body
		}
		if len(seq) == 0 || !strings.HasPrefix(seq[len(seq)-1], v+" ") {
			seq = append(seq, fmt.Sprintf("%s (from +%.2fs)", v, s.at.Sub(termAt).Seconds()))
		}
	}
	r.printf("  /readyz after SIGTERM: %s", strings.Join(seq, " → "))
	saw503 := false
	for _, s := range samples {
		if s.status == http.StatusServiceUnavailable {
			saw503 = true
		}
	}
	if !saw503 {
		r.fail("/readyz never answered 503 before the listener closed")
	}
	after := filter(results, func(x result) bool { return x.start.After(termAt) })
	r.printf("  load requests started after SIGTERM: %s", histogram(after))
	h.lossFigures(r, append(results, slow...))
	// Serve again for the accounting of later runs and a clean stop.
	if err := h.startPortal(); err != nil {
		r.printf("the portal did not restart: %v", err)
	}
	return r
}

// waitRecovered waits for the first acknowledged request started after
// since; it returns when it happened (zero if it did not within limit).
func (h *harness) waitRecovered(l *load, since time.Time, limit time.Duration) time.Time {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		l.mu.Lock()
		for _, r := range l.results {
			if r.acked && r.start.After(since) {
				l.mu.Unlock()
				return r.start.Add(r.latency)
			}
		}
		l.mu.Unlock()
		time.Sleep(100 * time.Millisecond)
	}
	return time.Time{}
}

func (h *harness) outageFigures(r *report, results []result, samples []readySample, down, back, recovered time.Time) {
	during := filter(results, func(x result) bool { return !x.start.Before(down) && x.start.Before(back) })
	first := filter(during, func(x result) bool { return x.start.Before(down.Add(time.Second)) })
	r.printf("  requests during the outage (%.1fs): %s", back.Sub(down).Seconds(), histogram(during))
	r.printf("  of which in its first second: %s", histogram(first))
	var maxLat time.Duration
	var slowest result
	for _, x := range during {
		if x.latency > maxLat {
			maxLat, slowest = x.latency, x
		}
	}
	r.printf("  max latency during the outage: %.2fs (%s %s)", maxLat.Seconds(), slowest.kind, outcome(slowest))
	if maxLat > 5*time.Second {
		r.fail(fmt.Sprintf("a request took %.1fs during the outage (limit 5s)", maxLat.Seconds()))
	}
	for _, x := range during {
		if x.status != 0 && x.status != http.StatusServiceUnavailable && x.status/100 == 5 {
			r.fail(fmt.Sprintf("%d answers during the outage", x.status))
			break
		}
	}
	ready := map[string]int{}
	for _, s := range samples {
		if !s.at.Before(down) && s.at.Before(back) {
			ready[fmt.Sprintf("%d %s", s.status, s.body)]++
		}
	}
	r.printf("  /readyz during the outage: %s", sortedCounts(ready))
	if recovered.IsZero() {
		r.printf("  recovered without restart: NO (no acknowledged request within 20s)")
		r.fail("did not recover")
	} else {
		r.printf("  recovered: first acknowledged request %.2fs after the service came back", recovered.Sub(back).Seconds())
	}
	afterBack := filter(results, func(x result) bool { return x.start.After(back) })
	r.printf("  requests after it came back: %s", histogram(afterBack))
}

func (h *harness) lossFigures(r *report, results []result) {
	counts, err := h.account(results)
	if err != nil {
		r.printf("  accounting failed: %v", err)
		r.fail("accounting failed")
		return
	}
	for _, k := range slices.Sorted(maps.Keys(counts)) {
		c := counts[k]
		r.printf("  %-13s acknowledged %d, found %d, lost %d (not acknowledged: %d, of which stored anyway: %d)",
			k+":", c.acked, c.found, c.lost, c.unacked, c.storedUnacked)
		if c.lost > 0 {
			r.lost += c.lost
			r.fail(fmt.Sprintf("%d acknowledged %s lost", c.lost, k))
		}
		if c.acked > 0 && c.found == 0 {
			r.fail("no " + k + " found at all: is the accounting right?")
		}
	}
}

func filter(rs []result, keep func(result) bool) []result {
	var out []result
	for _, r := range rs {
		if keep(r) {
			out = append(out, r)
		}
	}
	return out
}

func outcome(r result) string {
	if r.status == 0 {
		return r.failure
	}
	return strconv.Itoa(r.status)
}

// histogram counts outcomes per kind of request: "consent: 303 ×10, 503 ×4; contact: …".
func histogram(rs []result) string {
	byKind := map[string]map[string]int{}
	for _, r := range rs {
		if byKind[r.kind] == nil {
			byKind[r.kind] = map[string]int{}
		}
		byKind[r.kind][outcome(r)]++
	}
	if len(byKind) == 0 {
		return "none"
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(byKind)) {
		parts = append(parts, k+": "+sortedCounts(byKind[k]))
	}
	return strings.Join(parts, "; ")
}

func sortedCounts(m map[string]int) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s ×%d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

// ---- small helpers ----------------------------------------------------------

func readEnv(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	env := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			env[k] = v
		}
	}
	return env, sc.Err()
}

// freePort finds a loopback port in [lo, hi], below the ephemeral range so a
// restarted portal can always bind it again.
func freePort(lo, hi int) (int, error) {
	for p := lo; p <= hi; p++ {
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
		if err == nil {
			_ = l.Close()
			return p, nil
		}
	}
	return 0, fmt.Errorf("no free port between %d and %d", lo, hi)
}
