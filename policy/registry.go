package policy

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

//go:embed registry.yaml
var embedded []byte

// embeddedName is how errors in the embedded registry name their file.
const embeddedName = "registry.yaml"

// Default returns the registry embedded in the binary. Each call returns a
// fresh copy, so a caller cannot change what another one sees.
func Default() (*Registry, error) {
	return withSnapshots(Parse(embedded, embeddedName))(snapshotsFor(""))
}

// withSnapshots attaches the past versions' snapshots to a parsed registry
// and checks every one of them.
func withSnapshots(r *Registry, err error) func(fs.FS) (*Registry, error) {
	return func(fsys fs.FS) (*Registry, error) {
		if err != nil {
			return nil, err
		}
		r.snapshots = fsys
		if err := r.checkSnapshots(); err != nil {
			return nil, err
		}
		return r, nil
	}
}

// Load reads and validates the registry at path, or the embedded one when
// path is "" (PORTAL_POLICY unset).
func Load(path string) (*Registry, error) {
	if path == "" {
		return Default()
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}
	return withSnapshots(Parse(data, path))(snapshotsFor(path))
}

// Parse decodes and validates a registry. name is the file name used in
// errors, which read "name:LINE: what is wrong", one problem per line.
//
// Unknown keys are errors: a misspelt key would otherwise silently drop a
// promise (a retention period, a consent box) from what the portal does.
func Parse(data []byte, name string) (*Registry, error) {
	if name == "" {
		name = embeddedName
	}
	var doc document
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s:1: the registry is empty", name)
		}
		return nil, yamlErrors(name, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		if err != nil {
			return nil, yamlErrors(name, err)
		}
		return nil, fmt.Errorf("%s:%d: only one YAML document is allowed", name, extra.Line)
	}
	r := &doc.reg
	if purposes := child(doc.node, "purposes"); purposes != nil && purposes.Kind == yaml.SequenceNode {
		for i := range r.Purposes {
			if i < len(purposes.Content) {
				r.Purposes[i].Line = purposes.Content[i].Line
			}
		}
	}
	for i := range r.Purposes {
		p := &r.Purposes[i]
		if p.Kind == "" {
			p.Kind = KindRecord
		}
		if p.Kind == KindRightsRequest && len(p.Statuses) == 0 {
			p.Statuses = slices.Clone(RightsRequestStatuses)
		}
	}
	if err := validate(r, name, doc.node); err != nil {
		return nil, err
	}
	return r, nil
}

// document decodes a registry and keeps its node tree for line numbers.
//
// It implements yaml.v3's older UnmarshalYAML(func(any) error) form on
// purpose: that callback decodes with the same strict decoder, whereas
// yaml.Node.Decode (the newer form) starts a fresh one and silently drops
// KnownFields. One parse thus yields both the node tree and a strict decode.
type document struct {
	node *yaml.Node // nil for a null document
	reg  Registry
}

func (d *document) UnmarshalYAML(unmarshal func(any) error) error {
	var c nodeCapture
	if err := unmarshal(&c); err != nil {
		return err
	}
	d.node = c.node
	return unmarshal(&d.reg)
}

// nodeCapture keeps the node it is decoded from.
type nodeCapture struct{ node *yaml.Node }

func (c *nodeCapture) UnmarshalYAML(n *yaml.Node) error {
	c.node = n
	return nil
}

// child returns the value of key in mapping node n, or nil.
func child(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

var (
	yamlLineRE    = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
	yamlUnknownRE = regexp.MustCompile(`^field (\S+) not found in type policy\.(\w+)$`)
)

// yamlErrors rewrites yaml.v3's messages ("yaml: line 3: …", or a
// TypeError listing several) as "name:3: …", one per line.
func yamlErrors(name string, err error) error {
	msgs := []string{err.Error()}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	}
	errs := make([]error, 0, len(msgs))
	for _, m := range msgs {
		sm := yamlLineRE.FindStringSubmatch(m)
		if sm == nil {
			errs = append(errs, fmt.Errorf("%s: %s", name, strings.TrimPrefix(m, "yaml: ")))
			continue
		}
		msg := sm[2]
		if u := yamlUnknownRE.FindStringSubmatch(msg); u != nil {
			msg = fmt.Sprintf("unknown key %q in %s", u[1], u[2])
		}
		errs = append(errs, fmt.Errorf("%s:%s: %s", name, sm[1], msg))
	}
	return errors.Join(errs...)
}

// lineIndex maps a path such as "purposes[2].form.fields[0].type" to the
// line where it is written, so validation errors can point at it.
type lineIndex map[string]int

func (ix lineIndex) add(n *yaml.Node, path string) {
	if n == nil {
		return
	}
	switch n.Kind {
	case yaml.AliasNode:
		// Not followed: an alias can expand exponentially. Paths below it
		// fall back to the alias's own line.
		ix[path] = n.Line
		return
	}
	if _, ok := ix[path]; !ok {
		ix[path] = n.Line
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := k.Value
			if path != "" {
				p = path + "." + k.Value
			}
			if _, dup := ix[p]; dup {
				continue
			}
			ix[p] = k.Line // the key's line: where a reader looks for it
			ix.add(v, p)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			ix.add(c, path+"["+strconv.Itoa(i)+"]")
		}
	}
}

// line returns the line of path, or of its nearest written ancestor when
// the path itself is absent (a missing key is reported where it belongs).
func (ix lineIndex) line(path string) int {
	for {
		if l, ok := ix[path]; ok && l > 0 {
			return l
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			if l, ok := ix[""]; ok && l > 0 {
				return l
			}
			return 1 // a null document has no lines
		}
		path = path[:i]
	}
}
