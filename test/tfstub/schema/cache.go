package schema

import (
	"bufio"
	"encoding/gob"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-go/tfprotov5"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/zclconf/go-cty/cty"
)

// The full upstream JSON takes seconds to decode, and Terraform asks for the full schema
// on every command. A compact gob of the converted schemas (no descriptions: Terraform
// never shows them in diagnostics) loads several times faster, so the stub keeps one per
// build in a cache directory.

type cAttr struct {
	Name  string
	Type  string // cty JSON type, decoded through a memo
	Flags uint8
}

const (
	fRequired = 1 << iota
	fOptional
	fComputed
	fSensitive
	fDeprecated
	fWriteOnly
)

type cNested struct {
	Name     string
	Nesting  string
	Min, Max uint64
	Block    cBlock
}

type cBlock struct {
	Deprecated bool
	Attrs      []cAttr
	Blocks     []cNested
}

type cSchema struct {
	Name    string
	Data    bool
	Version uint64
	Block   cBlock
}

type cFile struct {
	Format  int
	Key     string
	Schemas []cSchema
}

const cacheFormat = 1

func compactBlock(b *tfjson.SchemaBlock) (cBlock, error) {
	out := cBlock{Deprecated: b.Deprecated}
	for _, n := range sortedAttrNames(b.Attributes) {
		a := b.Attributes[n]
		tj, err := a.AttributeType.MarshalJSON()
		if err != nil {
			return out, fmt.Errorf("%s: %w", n, err)
		}
		var f uint8
		for _, x := range []struct {
			on  bool
			bit uint8
		}{{a.Required, fRequired}, {a.Optional, fOptional}, {a.Computed, fComputed}, {a.Sensitive, fSensitive}, {a.Deprecated, fDeprecated}, {a.WriteOnly, fWriteOnly}} {
			if x.on {
				f |= x.bit
			}
		}
		out.Attrs = append(out.Attrs, cAttr{Name: n, Type: string(tj), Flags: f})
	}
	names := make([]string, 0, len(b.NestedBlocks))
	for n := range b.NestedBlocks {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		nb := b.NestedBlocks[n]
		inner, err := compactBlock(nb.Block)
		if err != nil {
			return out, fmt.Errorf("%s.%w", n, err)
		}
		out.Blocks = append(out.Blocks, cNested{Name: n, Nesting: string(nb.NestingMode), Min: nb.MinItems, Max: nb.MaxItems, Block: inner})
	}
	return out, nil
}

type typeMemo map[string]tftypes.Type

func (m typeMemo) get(j string) (tftypes.Type, error) {
	if t, ok := m[j]; ok {
		return t, nil
	}
	var ct cty.Type
	if err := ct.UnmarshalJSON([]byte(j)); err != nil {
		return nil, err
	}
	t, err := CtyToTftypes(ct)
	if err != nil {
		return nil, err
	}
	m[j] = t
	return t, nil
}

func (b cBlock) proto(memo typeMemo) (*tfprotov5.SchemaBlock, error) {
	out := &tfprotov5.SchemaBlock{Deprecated: b.Deprecated, DescriptionKind: tfprotov5.StringKindPlain}
	for _, a := range b.Attrs {
		t, err := memo.get(a.Type)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", a.Name, err)
		}
		out.Attributes = append(out.Attributes, &tfprotov5.SchemaAttribute{
			Name: a.Name, Type: t,
			Required: a.Flags&fRequired != 0, Optional: a.Flags&fOptional != 0,
			Computed: a.Flags&fComputed != 0, Sensitive: a.Flags&fSensitive != 0,
			Deprecated: a.Flags&fDeprecated != 0, WriteOnly: a.Flags&fWriteOnly != 0,
		})
	}
	for _, nb := range b.Blocks {
		mode, err := nestingToProto(tfjson.SchemaNestingMode(nb.Nesting))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", nb.Name, err)
		}
		inner, err := nb.Block.proto(memo)
		if err != nil {
			return nil, fmt.Errorf("%s.%w", nb.Name, err)
		}
		out.BlockTypes = append(out.BlockTypes, &tfprotov5.SchemaNestedBlock{TypeName: nb.Name, Nesting: mode, MinItems: int64(nb.Min), MaxItems: int64(nb.Max), Block: inner})
	}
	return out, nil
}

// AllProto returns every resource and data source schema in protocol form. When cacheDir
// is not empty it reads them from, or writes them to, a cache file named for the
// provider, its version and key (callers pass something that changes with the build,
// e.g. the executable's size and modification time). A broken cache is rebuilt.
func (p *Provider) AllProto(cacheDir, key string) (resources, dataSources map[string]*tfprotov5.Schema, err error) {
	var path string
	if cacheDir != "" {
		path = filepath.Join(cacheDir, fmt.Sprintf("%s-%s-%s.gob", p.Name, p.Version, key))
		if r, d, err := readCache(path, key); err == nil {
			return r, d, nil
		}
	}
	res, data, err := p.All()
	if err != nil {
		return nil, nil, err
	}
	f := cFile{Format: cacheFormat, Key: key}
	for _, set := range []struct {
		m    map[string]*tfjson.Schema
		data bool
	}{{res, false}, {data, true}} {
		names := make([]string, 0, len(set.m))
		for n := range set.m {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			b, err := compactBlock(set.m[n].Block)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: %w", n, err)
			}
			f.Schemas = append(f.Schemas, cSchema{Name: n, Data: set.data, Version: set.m[n].Version, Block: b})
		}
	}
	resources, dataSources, err = f.proto()
	if err != nil {
		return nil, nil, err
	}
	if path != "" {
		// A cache that cannot be written only costs time on the next start.
		_ = writeCache(path, &f)
	}
	return resources, dataSources, nil
}

func (f *cFile) proto() (map[string]*tfprotov5.Schema, map[string]*tfprotov5.Schema, error) {
	memo := typeMemo{}
	res := map[string]*tfprotov5.Schema{}
	data := map[string]*tfprotov5.Schema{}
	for _, s := range f.Schemas {
		b, err := s.Block.proto(memo)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", s.Name, err)
		}
		ps := &tfprotov5.Schema{Version: int64(s.Version), Block: b}
		if s.Data {
			data[s.Name] = ps
		} else {
			res[s.Name] = ps
		}
	}
	return res, data, nil
}

func readCache(path, key string) (map[string]*tfprotov5.Schema, map[string]*tfprotov5.Schema, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer fh.Close()
	var f cFile
	if err := gob.NewDecoder(bufio.NewReader(fh)).Decode(&f); err != nil {
		return nil, nil, err
	}
	if f.Format != cacheFormat || f.Key != key || len(f.Schemas) == 0 {
		return nil, nil, errors.New("stale cache")
	}
	return f.proto()
}

func writeCache(path string, f *cFile) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	w := bufio.NewWriter(tmp)
	if err := gob.NewEncoder(w).Encode(f); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := w.Flush(); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	// Rename is atomic, so parallel providers never read a half-written cache.
	return os.Rename(tmp.Name(), path)
}
