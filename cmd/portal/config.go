package main

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// config is read from the environment once, in main, and passed down
// explicitly: no package reads the environment on its own.
type config struct {
	DatabaseURL        string // the application role (portal_app)
	MigrateDatabaseURL string // the owner role, for migrations
	BackupDatabaseURL  string // BACKUP_DATABASE_URL: a role that reads and writes every row (BYPASSRLS), for backup and restore
	Addr               string
	BaseURL            *url.URL
	KeysDir            string
	MasterKeyFile      string // PORTAL_MASTER_KEY_FILE: the key the keysets are encrypted under at rest
	PolicyPath         string
	SMTPURL            string
	TrustedProxies     []netip.Prefix // only these may set X-Forwarded-For
	MaxConns           int32
	CreateKeys         bool    // PORTAL_CREATE_KEYS=1: generate missing keysets (development only)
	Bench              bool    // PORTAL_BENCH=1: benchmark baselines and relaxed rate limits, never in production
	FormRate           int     // form posts per minute per client address; 0 = no limit (PORTAL_FORM_RATE)
	ConsentRate        float64 // POST /consent per second per address; <0 off (see handlers.Deps)
	// DrainDelay is how long a SIGTERM'd server keeps serving with /readyz
	// at 503, so the load balancer stops sending traffic before the
	// listener closes (PORTAL_DRAIN_DELAY).
	DrainDelay time.Duration
	// MetricsAddr is the internal listener of /metrics, off the public one
	// (PORTAL_METRICS_ADDR; "off" serves no metrics).
	MetricsAddr string
	// ClamdAddr is the upload scanner (CLAMD_ADDR). Without it serve stops,
	// unless PORTAL_SCAN=off (development without clamd: ScanOff).
	ClamdAddr string
	ScanOff   bool
	// PprofAddr is a loopback listener of net/http/pprof, honoured under
	// PORTAL_BENCH=1 only (PORTAL_PPROF): `make bench` profiles the server
	// under load; production never serves it.
	PprofAddr string
	// MemoryLimit is the Go runtime's soft memory limit in bytes
	// (PORTAL_MEMORY_LIMIT, e.g. 64MiB; "off": none), under which the
	// collector runs with GOGC defaultGCPercent: less often, and as often
	// as needed near the limit. GOMEMLIMIT and GOGC, when set, are the
	// runtime's own and win.
	MemoryLimit int64
}

// The runtime's defaults for serve, measured under make bench: some 5 MB of
// live heap, and 27 MB of the process's memory is its mapped binary. A heap
// allowed to grow fivefold between collections (GOGC 400, instead of
// doubling), within a limit that keeps the Go side under 28 MiB, grows to
// 16 MB instead of 10 and collects less than half as often, and the whole
// process stays under the 60 MB budget of make bench (52 MB). A server whose
// back-office builds large exports needs a higher PORTAL_MEMORY_LIMIT (near
// the limit the collector runs more often).
const (
	defaultMemoryLimit = 28 << 20
	defaultGCPercent   = 400
)

func loadConfig() (config, error) {
	c := config{
		DatabaseURL:        os.Getenv("DATABASE_URL"),
		MigrateDatabaseURL: os.Getenv("MIGRATE_DATABASE_URL"),
		BackupDatabaseURL:  os.Getenv("BACKUP_DATABASE_URL"),
		Addr:               envOr("PORTAL_ADDR", ":8080"),
		KeysDir:            envOr("PORTAL_KEYS_DIR", ".data/keys"),
		MasterKeyFile:      os.Getenv("PORTAL_MASTER_KEY_FILE"),
		PolicyPath:         os.Getenv("PORTAL_POLICY"),
		SMTPURL:            os.Getenv("SMTP_URL"),
		MaxConns:           32,
		CreateKeys:         os.Getenv("PORTAL_CREATE_KEYS") == "1",
		Bench:              os.Getenv("PORTAL_BENCH") == "1",
		FormRate:           10,
		DrainDelay:         5 * time.Second,
		MetricsAddr:        envOr("PORTAL_METRICS_ADDR", "127.0.0.1:9090"),
		ClamdAddr:          os.Getenv("CLAMD_ADDR"),
		ScanOff:            os.Getenv("PORTAL_SCAN") == "off",
	}
	if v := os.Getenv("PORTAL_DRAIN_DELAY"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 || d > 5*time.Minute {
			return c, fmt.Errorf("PORTAL_DRAIN_DELAY must be a duration from 0s to 5m, e.g. 5s")
		}
		c.DrainDelay = d
	}
	base, err := url.Parse(envOr("PORTAL_BASE_URL", "http://localhost:8080"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return c, fmt.Errorf("PORTAL_BASE_URL must be an absolute http(s) URL")
	}
	c.BaseURL = base
	if v := os.Getenv("PORTAL_DB_MAX_CONNS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return c, fmt.Errorf("PORTAL_DB_MAX_CONNS must be a number from 1 to 1000")
		}
		c.MaxConns = int32(n)
	}
	if c.Bench {
		c.FormRate = 0 // make bench posts thousands of forms from one address
		c.PprofAddr = os.Getenv("PORTAL_PPROF")
	}
	if v := os.Getenv("PORTAL_FORM_RATE"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return c, fmt.Errorf("PORTAL_FORM_RATE must be a number of posts per minute (0: no limit)")
		}
		c.FormRate = n
	}
	if c.MemoryLimit, err = memoryLimit(os.Getenv("PORTAL_MEMORY_LIMIT")); err != nil {
		return c, err
	}
	if os.Getenv("GOMEMLIMIT") != "" || os.Getenv("GOGC") != "" {
		c.MemoryLimit = 0 // the runtime read them: they win
	}
	if c.ConsentRate, err = consentRate(); err != nil {
		return c, err
	}
	for _, s := range strings.FieldsFunc(os.Getenv("PORTAL_TRUSTED_PROXIES"), func(r rune) bool { return r == ',' || r == ' ' }) {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return c, fmt.Errorf("PORTAL_TRUSTED_PROXIES: %q is not a CIDR range", s)
		}
		c.TrustedProxies = append(c.TrustedProxies, p)
	}
	return c, nil
}

// ipExtractor trusts X-Forwarded-For only from the configured proxies;
// without any, the client is the TCP peer (a forged header changes nothing).
func (c config) ipExtractor() echo.IPExtractor {
	if len(c.TrustedProxies) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, p := range c.TrustedProxies {
		opts = append(opts, echo.TrustIPRange(&net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

// consentRate reads PORTAL_CONSENT_RATE (cookie choices per second per client
// address, or "off"). The benchmark (PORTAL_BENCH=1) posts from one address
// as fast as it can, so the limit is off there unless set explicitly.
func consentRate() (float64, error) {
	v := os.Getenv("PORTAL_CONSENT_RATE")
	switch {
	case v == "" && os.Getenv("PORTAL_BENCH") == "1", v == "off":
		return -1, nil
	case v == "":
		return 0, nil
	}
	n, err := strconv.ParseFloat(v, 64)
	if err != nil || n <= 0 || n > 1e6 {
		return 0, fmt.Errorf("PORTAL_CONSENT_RATE must be a positive number of requests per second, or off")
	}
	return n, nil
}

// memoryLimit reads a size as GOMEMLIMIT writes it (a number of bytes, or
// with a KiB, MiB or GiB unit), or "off"; empty is the default.
func memoryLimit(v string) (int64, error) {
	switch v {
	case "":
		return defaultMemoryLimit, nil
	case "off":
		return 0, nil
	}
	n, unit := v, int64(1)
	for _, u := range []struct {
		suffix string
		bytes  int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"B", 1}} {
		if s, ok := strings.CutSuffix(v, u.suffix); ok {
			n, unit = s, u.bytes
			break
		}
	}
	x, err := strconv.ParseInt(n, 10, 64)
	if err != nil || x <= 0 || x > (1<<40)/unit || x*unit < 16<<20 {
		return 0, fmt.Errorf("PORTAL_MEMORY_LIMIT must be a size from 16MiB, e.g. 40MiB or 1GiB, or off")
	}
	return x * unit, nil
}
