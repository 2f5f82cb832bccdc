// Command vulncheck gates the build on govulncheck's findings: it reads
// `govulncheck -json` on stdin and fails on every vulnerability the code
// calls (a finding at symbol level) that the exceptions file does not list
// with a reason. Findings in imported packages or required modules whose
// vulnerable symbols are not called are printed for information only, as
// govulncheck itself does.
//
//	govulncheck -json ./... | go run ./scripts/vulncheck -exceptions vulncheck-exceptions.txt
//
// The exceptions file holds one advisory per line, "ID reason…"; # starts a
// comment. A listed advisory that is no longer found is reported as stale,
// and one that now has a fixed version is reported so the upgrade is made.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "vulncheck:", err)
		os.Exit(1)
	}
}

// message is one JSON value of govulncheck's -json stream (protocol v1).
type message struct {
	Config *struct {
		ScannerVersion string `json:"scanner_version"`
		DB             string `json:"db"`
		GoVersion      string `json:"go_version"`
		ScanLevel      string `json:"scan_level"`
	} `json:"config"`
	OSV *struct {
		ID      string `json:"id"`
		Summary string `json:"summary"`
	} `json:"osv"`
	Finding *finding `json:"finding"`
}

type finding struct {
	OSV          string  `json:"osv"`
	FixedVersion string  `json:"fixed_version"`
	Trace        []frame `json:"trace"`
}

type frame struct {
	Module   string `json:"module"`
	Version  string `json:"version"`
	Package  string `json:"package"`
	Function string `json:"function"`
	Receiver string `json:"receiver"`
}

func (f frame) String() string {
	name := f.Function
	if f.Receiver != "" {
		name = f.Receiver + "." + name
	}
	return f.Package + "." + name
}

// vuln gathers one advisory's findings.
type vuln struct {
	id, summary, module, version, fixed string
	called                              bool
	example                             []frame // a call path from the portal's code to the vulnerable symbol
	level                               string
}

func run(args []string, in io.Reader, out io.Writer) error {
	fs := flag.NewFlagSet("vulncheck", flag.ContinueOnError)
	exceptionsPath := fs.String("exceptions", "vulncheck-exceptions.txt", "file of accepted advisories: ID reason")
	if err := fs.Parse(args); err != nil {
		return err
	}
	exceptions, err := readExceptions(*exceptionsPath)
	if err != nil {
		return err
	}
	vulns, cfgLine, err := readFindings(in)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, cfgLine)

	ids := make([]string, 0, len(vulns))
	for id := range vulns {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var failed []string
	for _, id := range ids {
		v := vulns[id]
		fix := "no fixed version"
		if v.fixed != "" {
			fix = "fixed in " + v.fixed
		}
		head := fmt.Sprintf("%s %s@%s (%s): %s", v.id, v.module, v.version, fix, v.summary)
		if !v.called {
			fmt.Fprintf(out, "info      %s [%s imported, vulnerable code not called]\n", head, v.level)
			continue
		}
		if reason, ok := exceptions[id]; ok {
			fmt.Fprintf(out, "excepted  %s\n          reason: %s\n", head, reason)
			if v.fixed != "" {
				fmt.Fprintf(out, "          note: a fix exists (%s): upgrade and drop the exception\n", v.fixed)
			}
			continue
		}
		failed = append(failed, id)
		fmt.Fprintf(out, "FOUND     %s\n", head)
		for i, f := range v.example {
			fmt.Fprintf(out, "          %s%s\n", strings.Repeat("  ", i), f)
		}
	}
	for id := range exceptions {
		if v, ok := vulns[id]; !ok || !v.called {
			fmt.Fprintf(out, "stale     %s is listed in %s but no longer called: remove it\n", id, *exceptionsPath)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d vulnerabilities called and not excepted: %s (upgrade, or list them with a reason in %s)",
			len(failed), strings.Join(failed, ", "), *exceptionsPath)
	}
	fmt.Fprintf(out, "vulncheck: clean (%d advisories matched, %d excepted with a reason)\n", len(vulns), len(exceptions))
	return nil
}

func readFindings(in io.Reader) (map[string]*vuln, string, error) {
	vulns := map[string]*vuln{}
	summaries := map[string]string{}
	cfgLine := ""
	dec := json.NewDecoder(in)
	for {
		var m message
		err := dec.Decode(&m)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, "", fmt.Errorf("reading govulncheck -json: %w", err)
		}
		switch {
		case m.Config != nil:
			c := m.Config
			cfgLine = fmt.Sprintf("govulncheck %s, %s, database %s, scan level %s", c.ScannerVersion, c.GoVersion, c.DB, c.ScanLevel)
		case m.OSV != nil:
			summaries[m.OSV.ID] = m.OSV.Summary
		case m.Finding != nil && len(m.Finding.Trace) > 0:
			f := m.Finding
			v := vulns[f.OSV]
			if v == nil {
				v = &vuln{id: f.OSV, module: f.Trace[0].Module, version: f.Trace[0].Version, level: "module"}
				vulns[f.OSV] = v
			}
			if f.FixedVersion != "" {
				v.fixed = f.FixedVersion
			}
			top := f.Trace[0]
			switch {
			case top.Function != "":
				if !v.called || len(f.Trace) < len(v.example) { // the shortest path reads best
					v.example = reversed(f.Trace)
				}
				v.called = true
				v.level = "symbol"
			case top.Package != "" && v.level == "module":
				v.level = "package"
			}
		}
	}
	if cfgLine == "" {
		return nil, "", errors.New("no govulncheck config message on stdin: did govulncheck run?")
	}
	for id, v := range vulns {
		v.summary = summaries[id]
	}
	return vulns, cfgLine, nil
}

// reversed lists a trace from the portal's entry point down to the vulnerable symbol.
func reversed(t []frame) []frame {
	r := make([]frame, len(t))
	for i, f := range t {
		r[len(t)-1-i] = f
	}
	return r
}

func readExceptions(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ex := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, reason, _ := strings.Cut(line, " ")
		reason = strings.TrimSpace(reason)
		if !strings.HasPrefix(id, "GO-") || len(reason) < 20 {
			return nil, fmt.Errorf("%s:%d: want \"GO-YYYY-NNNN reason\" with a real reason, got %q", path, n, line)
		}
		if _, dup := ex[id]; dup {
			return nil, fmt.Errorf("%s:%d: %s listed twice", path, n, id)
		}
		ex[id] = reason
	}
	return ex, sc.Err()
}
