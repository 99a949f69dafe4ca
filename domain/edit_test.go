package domain_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/fairtrail/fairtrail/domain"
)

// change edits one JSON path of an envelope: set a value (any JSON-marshalable, json.RawMessage for raw
// JSON) or delete the key.
type change struct {
	path   string
	value  any
	delete bool
}

func set(path string, v any) change { return change{path: path, value: v} }
func del(path string) change        { return change{path: path, delete: true} }

// edit returns the example of typ with the changes applied. Paths are dotted keys with [i] for array
// elements, as in FieldError paths: "data.terms.deductions[0].amount".
func edit(typ string, changes ...change) string {
	return editJSON(exampleOf(typ), changes...)
}

func editJSON(envelope string, changes ...change) string {
	dec := json.NewDecoder(strings.NewReader(envelope))
	dec.UseNumber()
	var root any
	if err := dec.Decode(&root); err != nil {
		panic(err)
	}
	for _, c := range changes {
		apply(root, strings.Split(c.path, "."), c)
	}
	b, err := json.Marshal(root)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func apply(node any, segs []string, c change) {
	key, idx := segs[0], -1
	if name, rest, ok := strings.Cut(key, "["); ok {
		n, err := strconv.Atoi(strings.TrimSuffix(rest, "]"))
		if err != nil {
			panic(fmt.Sprintf("bad path segment %q", segs[0]))
		}
		key, idx = name, n
	}
	obj, ok := node.(map[string]any)
	if !ok {
		panic(fmt.Sprintf("path %q: not an object", c.path))
	}
	last := len(segs) == 1
	if idx >= 0 {
		arr, ok := obj[key].([]any)
		if !ok || idx >= len(arr) {
			panic(fmt.Sprintf("path %q: no element %d", c.path, idx))
		}
		if last {
			arr[idx] = c.value
			return
		}
		apply(arr[idx], segs[1:], c)
		return
	}
	switch {
	case last && c.delete:
		if _, ok := obj[key]; !ok {
			panic(fmt.Sprintf("path %q: nothing to delete", c.path))
		}
		delete(obj, key)
	case last:
		obj[key] = c.value
	default:
		child, ok := obj[key]
		if !ok {
			panic(fmt.Sprintf("path %q: no key %q", c.path, key))
		}
		apply(child, segs[1:], c)
	}
}

// mustDecode decodes an envelope that must be valid.
func mustDecode(t *testing.T, envelope string) domain.Envelope {
	t.Helper()
	env, err := domain.Decode([]byte(envelope))
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	return env
}

// mustEncode gives the canonical data of a decoded event.
func mustEncode(t *testing.T, e domain.Event) []byte {
	t.Helper()
	b, err := domain.EncodeData(e)
	if err != nil {
		t.Fatalf("EncodeData: %v", err)
	}
	return b
}

// sortedCompact re-marshals JSON through map[string]any with encoding/json: keys sorted at every level, no
// white space, no HTML escaping, numbers kept as written.
func sortedCompact(t *testing.T, b []byte) []byte {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatalf("encode: %v", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte{'\n'})
}
