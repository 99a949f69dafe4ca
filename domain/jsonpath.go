package domain

import (
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// unknownFieldPath finds where in raw JSON a key has no field in the Go type t, for an error message that names
// the full path ("data.terms.deductions[0].note"). It runs only after a decode has failed.
func unknownFieldPath(raw []byte, t reflect.Type, prefix string) (string, bool) {
	var tree any
	if json.Unmarshal(raw, &tree) != nil {
		return "", false
	}
	return walkUnknown(tree, t, prefix)
}

func walkUnknown(node any, t reflect.Type, path string) (string, bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch n := node.(type) {
	case map[string]any:
		if t.Kind() != reflect.Struct {
			return "", false
		}
		fields := jsonFields(t)
		for _, key := range sortedKeys(n) {
			ft, ok := fields[key]
			if !ok {
				return joinPath(path, key), true
			}
			if p, ok := walkUnknown(n[key], ft, joinPath(path, key)); ok {
				return p, true
			}
		}
	case []any:
		if t.Kind() != reflect.Slice {
			return "", false
		}
		for i, el := range n {
			if p, ok := walkUnknown(el, t.Elem(), path+"["+strconv.Itoa(i)+"]"); ok {
				return p, true
			}
		}
	}
	return "", false
}

// jsonFields maps a struct's JSON names to field types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := make(map[string]reflect.Type, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		out[name] = f.Type
	}
	return out
}

// typeErrorPath finds the concrete path of a value of the wrong JSON kind: encoding/json reports
// "terms.deductions.amount" without the array index.
func typeErrorPath(raw []byte, field, kind, prefix string) string {
	var tree any
	if field == "" || json.Unmarshal(raw, &tree) != nil {
		return joinPath(prefix, field)
	}
	if p, ok := walkKind(tree, strings.Split(field, "."), kind, prefix); ok {
		return p
	}
	return joinPath(prefix, field)
}

func walkKind(node any, segs []string, kind, path string) (string, bool) {
	if arr, ok := node.([]any); ok {
		for i, el := range arr {
			if p, ok := walkKind(el, segs, kind, path+"["+strconv.Itoa(i)+"]"); ok {
				return p, true
			}
		}
		return "", false
	}
	if len(segs) == 0 {
		if obj, ok := node.(map[string]any); ok && kind != "object" {
			return mapValueOfKind(obj, kind, path)
		}
		return path, jsonKindOf(node) == kind
	}
	obj, ok := node.(map[string]any)
	if !ok {
		return "", false
	}
	child, ok := obj[segs[0]]
	if !ok {
		return "", false
	}
	return walkKind(child, segs[1:], kind, joinPath(path, segs[0]))
}

// mapValueOfKind names the first value (by key) of a map-typed object, such as rates, whose JSON kind is the
// one a type error reports: encoding/json names only the map's field.
func mapValueOfKind(obj map[string]any, kind, path string) (string, bool) {
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		if jsonKindOf(obj[k]) == kind {
			return joinPath(path, k), true
		}
	}
	return "", false
}

func jsonKindOf(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "bool"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "null"
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}
