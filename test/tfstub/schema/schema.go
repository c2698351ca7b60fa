// Package schema serves the provider schemas that the ctap plan-only stand-in
// (test/tfstub) presents to Terraform, and that the static schema check in test/unit
// reads directly.
//
// The hashicorp/aws schemas are the real `terraform providers schema -json` output of
// v5.100.0 (from github.com/lonegunmanb/terraform-aws-schema/v5), adjusted to v6.0 by the
// deltas in v6.go. Every schema is loaded lazily: looking up one type costs microseconds,
// loading all of them (for GetProviderSchema) about a second.
package schema

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"runtime"
	"sort"
	"sync"

	tfjson "github.com/hashicorp/terraform-json"
)

// AWSVersion is the version the stand-in registers as for hashicorp/aws. It satisfies
// "~> 6.0" (a prerelease would not) and is high enough that nobody mistakes it for a
// real release.
const AWSVersion = "6.99.0"

// RandomVersion is the version the stand-in registers as for hashicorp/random.
const RandomVersion = "3.99.0"

// UpstreamAWSVersion is the hashicorp/aws release whose schemas are served.
const UpstreamAWSVersion = "5.100.0"

//go:embed provider_aws.json
var awsProviderJSON []byte

//go:embed random_string.json
var randomStringJSON []byte

// Provider is the schema of one provider: its configuration block, resources and data
// sources. It is safe for concurrent use.
type Provider struct {
	// Name is the provider's local name, e.g. "aws".
	Name string
	// Source is the provider's registry address, e.g. "registry.terraform.io/hashicorp/aws".
	Source string
	// Version is the version the stand-in registers as.
	Version string

	config   func() (*tfjson.Schema, error)
	resFns   map[string]func() (*tfjson.Schema, error)
	dataFns  map[string]func() (*tfjson.Schema, error)
	mu       sync.Mutex
	resCache map[string]*tfjson.Schema
	dsCache  map[string]*tfjson.Schema
	cfgCache *tfjson.Schema
}

var (
	awsOnce    sync.Once
	awsProv    *Provider
	randomOnce sync.Once
	randomProv *Provider
)

// AWS returns the hashicorp/aws schema, v5.100.0 adjusted to v6.
func AWS() *Provider {
	awsOnce.Do(func() {
		p := &Provider{
			Name:    "aws",
			Source:  "registry.terraform.io/hashicorp/aws",
			Version: AWSVersion,
			resFns:  map[string]func() (*tfjson.Schema, error){},
			dataFns: map[string]func() (*tfjson.Schema, error){},
		}
		p.config = func() (*tfjson.Schema, error) {
			s, err := decode("provider_aws.json", awsProviderJSON)
			if err != nil {
				return nil, err
			}
			addEndpoints(s)
			return s, nil
		}
		for name, fn := range upstreamResources {
			if removedResources[name] {
				continue
			}
			name, fn := name, fn
			p.resFns[name] = func() (*tfjson.Schema, error) { return adjust(kindResource, name, fn()) }
		}
		for name, fn := range upstreamDataSources {
			if removedDataSources[name] {
				continue
			}
			name, fn := name, fn
			p.dataFns[name] = func() (*tfjson.Schema, error) { return adjust(kindDataSource, name, fn()) }
		}
		awsProv = p
	})
	return awsProv
}

// Random returns the hashicorp/random schema. Only random_string is served: it is the
// one type our modules use.
func Random() *Provider {
	randomOnce.Do(func() {
		randomProv = &Provider{
			Name:    "random",
			Source:  "registry.terraform.io/hashicorp/random",
			Version: RandomVersion,
			config: func() (*tfjson.Schema, error) {
				return &tfjson.Schema{Block: &tfjson.SchemaBlock{DescriptionKind: tfjson.SchemaDescriptionKindPlain}}, nil
			},
			resFns: map[string]func() (*tfjson.Schema, error){
				"random_string": func() (*tfjson.Schema, error) { return decode("random_string.json", randomStringJSON) },
			},
			dataFns: map[string]func() (*tfjson.Schema, error){},
		}
	})
	return randomProv
}

func decode(name string, b []byte) (*tfjson.Schema, error) {
	var s tfjson.Schema
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("decode embedded schema %s: %w", name, err)
	}
	if s.Block == nil {
		return nil, fmt.Errorf("decode embedded schema %s: no block", name)
	}
	return &s, nil
}

// Config returns the provider configuration schema.
func (p *Provider) Config() (*tfjson.Schema, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cfgCache != nil {
		return p.cfgCache, nil
	}
	s, err := p.config()
	if err != nil {
		return nil, err
	}
	p.cfgCache = s
	return s, nil
}

// Resource returns the schema of a resource type, or false when the provider has none.
// The returned schema is shared: callers must not modify it.
func (p *Provider) Resource(name string) (*tfjson.Schema, bool, error) {
	return p.lookup(name, p.resFns, &p.resCache)
}

// DataSource returns the schema of a data source, or false when the provider has none.
// The returned schema is shared: callers must not modify it.
func (p *Provider) DataSource(name string) (*tfjson.Schema, bool, error) {
	return p.lookup(name, p.dataFns, &p.dsCache)
}

func (p *Provider) lookup(name string, fns map[string]func() (*tfjson.Schema, error), cache *map[string]*tfjson.Schema) (*tfjson.Schema, bool, error) {
	p.mu.Lock()
	if s, ok := (*cache)[name]; ok {
		p.mu.Unlock()
		return s, true, nil
	}
	p.mu.Unlock()
	fn, ok := fns[name]
	if !ok {
		return nil, false, nil
	}
	s, err := fn()
	if err != nil {
		return nil, true, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if *cache == nil {
		*cache = map[string]*tfjson.Schema{}
	}
	(*cache)[name] = s
	return s, true, nil
}

// ResourceNames lists every resource type, sorted.
func (p *Provider) ResourceNames() []string { return sortedKeys(p.resFns) }

// DataSourceNames lists every data source, sorted.
func (p *Provider) DataSourceNames() []string { return sortedKeys(p.dataFns) }

func sortedKeys(m map[string]func() (*tfjson.Schema, error)) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// All loads every resource and data source schema, in parallel because the upstream
// JSON decoding dominates a provider start.
func (p *Provider) All() (resources, dataSources map[string]*tfjson.Schema, err error) {
	type job struct {
		name string
		data bool
	}
	var jobs []job
	for _, n := range p.ResourceNames() {
		jobs = append(jobs, job{n, false})
	}
	for _, n := range p.DataSourceNames() {
		jobs = append(jobs, job{n, true})
	}
	ch := make(chan job)
	var wg sync.WaitGroup
	var errMu sync.Mutex
	var firstErr error
	for i := 0; i < runtime.GOMAXPROCS(0); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range ch {
				var err error
				if j.data {
					_, _, err = p.DataSource(j.name)
				} else {
					_, _, err = p.Resource(j.name)
				}
				if err != nil {
					errMu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					errMu.Unlock()
				}
			}
		}()
	}
	for _, j := range jobs {
		ch <- j
	}
	close(ch)
	wg.Wait()
	if firstErr != nil {
		return nil, nil, firstErr
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	resources = make(map[string]*tfjson.Schema, len(p.resCache))
	for k, v := range p.resCache {
		resources[k] = v
	}
	dataSources = make(map[string]*tfjson.Schema, len(p.dsCache))
	for k, v := range p.dsCache {
		dataSources[k] = v
	}
	return resources, dataSources, nil
}
