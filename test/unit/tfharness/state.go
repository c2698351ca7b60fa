package tfharness

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tfschema "github.com/ctap-platform/ctap/test/tfstub/schema"
)

// Seed is one resource instance written into a local state before a plan, as if an
// earlier apply had created it. Attributes not given are null; the stand-in's ReadResource
// keeps them as they are, so the plan sees exactly these values as the remote object.
type Seed struct {
	// Module is the module address, e.g. "module.ctap.module.kms"; "" for the root.
	Module string
	// Type and Name identify the resource, e.g. "aws_kms_key", "this".
	Type, Name string
	// Key is the instance key: nil (no count/for_each), an int (count) or a string (for_each).
	Key any
	// Attrs are the instance's attributes.
	Attrs map[string]any
}

type stateInstance struct {
	IndexKey            any            `json:"index_key,omitempty"`
	SchemaVersion       uint64         `json:"schema_version"`
	Attributes          map[string]any `json:"attributes"`
	SensitiveAttributes []any          `json:"sensitive_attributes"`
}

type stateResource struct {
	Module    string          `json:"module,omitempty"`
	Mode      string          `json:"mode"`
	Type      string          `json:"type"`
	Name      string          `json:"name"`
	Each      string          `json:"each,omitempty"`
	Provider  string          `json:"provider"`
	Instances []stateInstance `json:"instances"`
}

// SeedState writes terraform.tfstate into dir holding the seeds. Schema versions come from
// the served schemas, so that Terraform does not try to upgrade them.
func SeedState(t testing.TB, dir string, seeds []Seed) {
	t.Helper()
	var resources []*stateResource
	index := map[string]*stateResource{}
	for _, s := range seeds {
		prov := tfschema.AWS()
		if strings.HasPrefix(s.Type, "random_") {
			prov = tfschema.Random()
		}
		sch, ok, err := prov.Resource(s.Type)
		if err != nil || !ok {
			t.Fatalf("seed %s.%s: no schema (ok=%v, err=%v)", s.Type, s.Name, ok, err)
		}
		key := s.Module + "|" + s.Type + "|" + s.Name
		r := index[key]
		if r == nil {
			r = &stateResource{Module: s.Module, Mode: "managed", Type: s.Type, Name: s.Name,
				Provider: fmt.Sprintf("provider[%q]", prov.Source)}
			switch s.Key.(type) {
			case int:
				r.Each = "list"
			case string:
				r.Each = "map"
			}
			index[key] = r
			resources = append(resources, r)
		}
		r.Instances = append(r.Instances, stateInstance{IndexKey: s.Key, SchemaVersion: sch.Version, Attributes: s.Attrs, SensitiveAttributes: []any{}})
	}
	state := map[string]any{
		"version": 4, "terraform_version": "1.11.4", "serial": 1, "lineage": "ctap-tfharness-seed",
		"outputs": map[string]any{}, "resources": resources, "check_results": nil,
	}
	b, err := json.MarshalIndent(state, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "terraform.tfstate"), b, 0o644); err != nil {
		t.Fatalf("seed state: %v", err)
	}
}

// RandomSuffixSeed is random_string.suffix with the given result, as the root module
// declares it.
func RandomSuffixSeed(module, suffix string) Seed {
	return Seed{Module: module, Type: "random_string", Name: "suffix", Attrs: map[string]any{
		"id": suffix, "result": suffix, "length": 6, "lower": true, "upper": false, "special": false,
		"numeric": true, "number": true, "min_lower": 0, "min_upper": 0, "min_numeric": 0, "min_special": 0,
	}}
}
