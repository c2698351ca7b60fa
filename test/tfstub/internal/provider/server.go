// Package provider implements the ctap plan-only stand-in for hashicorp/aws and
// hashicorp/random as a protocol-5 provider server.
//
// It serves the real schemas (see test/tfstub/schema), plans like the real provider does
// for a create (computed attributes the configuration leaves null become unknown), answers
// the handful of data sources our modules read without any network, and refuses to apply.
package provider

import (
	"context"
	"fmt"
	"os"
	"sync"

	"github.com/ctap-platform/ctap/test/tfstub/schema"
	"github.com/hashicorp/terraform-plugin-go/tfprotov5"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// ApplyRefusal is the summary of the error every apply returns.
const ApplyRefusal = "ctap tfstub is a plan-only stand-in; it never calls AWS"

// Options configure a Server.
type Options struct {
	// CacheDir holds the compact full-schema cache; empty disables it.
	CacheDir string
	// CacheKey changes whenever the binary does (size and modification time).
	CacheKey string
}

// Server is a tfprotov5.ProviderServer for one provider (aws or random).
type Server struct {
	prov *schema.Provider
	opts Options

	mu          sync.Mutex
	region      string
	defaultTags map[string]string
	configured  bool
	protoCache  map[string]*tfprotov5.Schema
}

var _ tfprotov5.ProviderServer = (*Server)(nil)

// New returns a server for p.
func New(p *schema.Provider, opts Options) *Server {
	return &Server{prov: p, opts: opts, protoCache: map[string]*tfprotov5.Schema{}}
}

func errDiag(summary, detail string) []*tfprotov5.Diagnostic {
	return []*tfprotov5.Diagnostic{{Severity: tfprotov5.DiagnosticSeverityError, Summary: summary, Detail: detail}}
}

func (s *Server) capabilities() *tfprotov5.ServerCapabilities {
	return &tfprotov5.ServerCapabilities{GetProviderSchemaOptional: true, PlanDestroy: true}
}

// typeSchema returns the protocol schema of one resource or data source, converted on
// first use.
func (s *Server) typeSchema(data bool, name string) (*tfprotov5.Schema, error) {
	key := "r:" + name
	if data {
		key = "d:" + name
	}
	s.mu.Lock()
	if ps, ok := s.protoCache[key]; ok {
		s.mu.Unlock()
		return ps, nil
	}
	s.mu.Unlock()
	lookup := s.prov.Resource
	what := "resource type"
	if data {
		lookup = s.prov.DataSource
		what = "data source"
	}
	js, ok, err := lookup(name)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("provider %s has no %s %q", s.prov.Source, what, name)
	}
	ps, err := schema.ToProto(js)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", what, name, err)
	}
	s.mu.Lock()
	s.protoCache[key] = ps
	s.mu.Unlock()
	return ps, nil
}

// GetMetadata lists the types without their schemas.
func (s *Server) GetMetadata(context.Context, *tfprotov5.GetMetadataRequest) (*tfprotov5.GetMetadataResponse, error) {
	resp := &tfprotov5.GetMetadataResponse{ServerCapabilities: s.capabilities()}
	for _, n := range s.prov.ResourceNames() {
		resp.Resources = append(resp.Resources, tfprotov5.ResourceMetadata{TypeName: n})
	}
	for _, n := range s.prov.DataSourceNames() {
		resp.DataSources = append(resp.DataSources, tfprotov5.DataSourceMetadata{TypeName: n})
	}
	return resp, nil
}

// GetProviderSchema serves every schema.
func (s *Server) GetProviderSchema(context.Context, *tfprotov5.GetProviderSchemaRequest) (*tfprotov5.GetProviderSchemaResponse, error) {
	resp := &tfprotov5.GetProviderSchemaResponse{ServerCapabilities: s.capabilities()}
	cfg, err := s.prov.Config()
	if err == nil {
		resp.Provider, err = schema.ToProto(cfg)
	}
	if err != nil {
		resp.Diagnostics = errDiag("ctap tfstub: provider schema", err.Error())
		return resp, nil
	}
	resp.ProviderMeta = &tfprotov5.Schema{Block: &tfprotov5.SchemaBlock{}}
	res, data, err := s.prov.AllProto(s.opts.CacheDir, s.opts.CacheKey)
	if err != nil {
		resp.Diagnostics = errDiag("ctap tfstub: resource schemas", err.Error())
		return resp, nil
	}
	resp.ResourceSchemas, resp.DataSourceSchemas = res, data
	resp.Functions = map[string]*tfprotov5.Function{}
	resp.EphemeralResourceSchemas = map[string]*tfprotov5.Schema{}
	return resp, nil
}

// GetResourceIdentitySchemas reports no identities: the stand-in never imports.
func (s *Server) GetResourceIdentitySchemas(context.Context, *tfprotov5.GetResourceIdentitySchemasRequest) (*tfprotov5.GetResourceIdentitySchemasResponse, error) {
	return &tfprotov5.GetResourceIdentitySchemasResponse{IdentitySchemas: map[string]*tfprotov5.ResourceIdentitySchema{}}, nil
}

// PrepareProviderConfig returns the configuration unchanged; Terraform core has already
// checked it against the schema.
func (s *Server) PrepareProviderConfig(_ context.Context, req *tfprotov5.PrepareProviderConfigRequest) (*tfprotov5.PrepareProviderConfigResponse, error) {
	return &tfprotov5.PrepareProviderConfigResponse{PreparedConfig: req.Config}, nil
}

// ConfigureProvider remembers the region and default tags. Like the real provider, aws
// needs a region from the configuration or AWS_REGION / AWS_DEFAULT_REGION.
func (s *Server) ConfigureProvider(_ context.Context, req *tfprotov5.ConfigureProviderRequest) (*tfprotov5.ConfigureProviderResponse, error) {
	resp := &tfprotov5.ConfigureProviderResponse{}
	if s.prov.Name != "aws" {
		s.mu.Lock()
		s.configured = true
		s.mu.Unlock()
		return resp, nil
	}
	ps, err := s.providerSchema()
	if err != nil {
		resp.Diagnostics = errDiag("ctap tfstub: provider schema", err.Error())
		return resp, nil
	}
	cfg, err := req.Config.Unmarshal(ps.ValueType())
	if err != nil {
		resp.Diagnostics = errDiag("ctap tfstub: decode provider configuration", err.Error())
		return resp, nil
	}
	g := toGo(cfg)
	obj, _ := g.(map[string]any)
	region, _ := obj["region"].(string)
	if region == "" {
		region = os.Getenv("AWS_REGION")
	}
	if region == "" {
		region = os.Getenv("AWS_DEFAULT_REGION")
	}
	if region == "" {
		resp.Diagnostics = errDiag("Missing required argument",
			`The argument "region" is required, but no definition was found. Set it in the provider block or in AWS_REGION / AWS_DEFAULT_REGION.`)
		return resp, nil
	}
	tags := map[string]string{}
	if dts, ok := obj["default_tags"].([]any); ok {
		for _, dt := range dts {
			m, _ := dt.(map[string]any)
			tm, _ := m["tags"].(map[string]any)
			for k, v := range tm {
				if sv, ok := v.(string); ok {
					tags[k] = sv
				}
			}
		}
	}
	s.mu.Lock()
	s.region, s.defaultTags, s.configured = region, tags, true
	s.mu.Unlock()
	return resp, nil
}

func (s *Server) providerSchema() (*tfprotov5.Schema, error) {
	cfg, err := s.prov.Config()
	if err != nil {
		return nil, err
	}
	return schema.ToProto(cfg)
}

// StopProvider has nothing to stop.
func (s *Server) StopProvider(context.Context, *tfprotov5.StopProviderRequest) (*tfprotov5.StopProviderResponse, error) {
	return &tfprotov5.StopProviderResponse{}, nil
}

// ValidateDataSourceConfig accepts everything: Terraform core validates the
// configuration against the schema, which is what this stand-in is for.
func (s *Server) ValidateDataSourceConfig(context.Context, *tfprotov5.ValidateDataSourceConfigRequest) (*tfprotov5.ValidateDataSourceConfigResponse, error) {
	return &tfprotov5.ValidateDataSourceConfigResponse{}, nil
}

// UpgradeResourceState decodes the stored JSON state with the current schema.
func (s *Server) UpgradeResourceState(_ context.Context, req *tfprotov5.UpgradeResourceStateRequest) (*tfprotov5.UpgradeResourceStateResponse, error) {
	resp := &tfprotov5.UpgradeResourceStateResponse{}
	ps, err := s.typeSchema(false, req.TypeName)
	if err != nil {
		resp.Diagnostics = errDiag("ctap tfstub: upgrade state", err.Error())
		return resp, nil
	}
	typ := ps.ValueType()
	if req.RawState == nil {
		dv, err := tfprotov5.NewDynamicValue(typ, tftypes.NewValue(typ, nil))
		if err != nil {
			resp.Diagnostics = errDiag("ctap tfstub: upgrade state", err.Error())
			return resp, nil
		}
		resp.UpgradedState = &dv
		return resp, nil
	}
	v, err := req.RawState.UnmarshalWithOpts(typ, tfprotov5.UnmarshalOpts{ValueFromJSONOpts: tftypes.ValueFromJSONOpts{IgnoreUndefinedAttributes: true}})
	if err != nil {
		resp.Diagnostics = errDiag("ctap tfstub: upgrade state of "+req.TypeName, err.Error())
		return resp, nil
	}
	dv, err := tfprotov5.NewDynamicValue(typ, v)
	if err != nil {
		resp.Diagnostics = errDiag("ctap tfstub: upgrade state of "+req.TypeName, err.Error())
		return resp, nil
	}
	resp.UpgradedState = &dv
	return resp, nil
}

// ReadResource returns the state unchanged: there is no remote object to refresh from.
func (s *Server) ReadResource(_ context.Context, req *tfprotov5.ReadResourceRequest) (*tfprotov5.ReadResourceResponse, error) {
	return &tfprotov5.ReadResourceResponse{NewState: req.CurrentState, Private: req.Private}, nil
}

// ApplyResourceChange refuses: the stand-in never pretends to have created anything.
func (s *Server) ApplyResourceChange(_ context.Context, req *tfprotov5.ApplyResourceChangeRequest) (*tfprotov5.ApplyResourceChangeResponse, error) {
	return &tfprotov5.ApplyResourceChangeResponse{
		NewState: req.PriorState,
		Diagnostics: errDiag(ApplyRefusal,
			fmt.Sprintf("%s cannot be applied: this provider (%s %s) only answers validate and plan. Use the real provider to apply.", req.TypeName, s.prov.Source, s.prov.Version)),
	}, nil
}

// ImportResourceState refuses: there is nothing to import from.
func (s *Server) ImportResourceState(_ context.Context, req *tfprotov5.ImportResourceStateRequest) (*tfprotov5.ImportResourceStateResponse, error) {
	return &tfprotov5.ImportResourceStateResponse{Diagnostics: errDiag("ctap tfstub cannot import",
		fmt.Sprintf("%s %q: the plan-only stand-in has no AWS to read the object from.", req.TypeName, req.ID))}, nil
}

// MoveResourceState refuses cross-type moves.
func (s *Server) MoveResourceState(_ context.Context, req *tfprotov5.MoveResourceStateRequest) (*tfprotov5.MoveResourceStateResponse, error) {
	return &tfprotov5.MoveResourceStateResponse{Diagnostics: errDiag("ctap tfstub cannot move resource state",
		fmt.Sprintf("moving %s to %s is not supported by the stand-in", req.SourceTypeName, req.TargetTypeName))}, nil
}

// UpgradeResourceIdentity is unsupported: no identity schemas are served.
func (s *Server) UpgradeResourceIdentity(_ context.Context, req *tfprotov5.UpgradeResourceIdentityRequest) (*tfprotov5.UpgradeResourceIdentityResponse, error) {
	return &tfprotov5.UpgradeResourceIdentityResponse{Diagnostics: errDiag("ctap tfstub has no resource identities", req.TypeName)}, nil
}

// CallFunction is unsupported: no provider functions are served.
func (s *Server) CallFunction(_ context.Context, req *tfprotov5.CallFunctionRequest) (*tfprotov5.CallFunctionResponse, error) {
	return &tfprotov5.CallFunctionResponse{Error: &tfprotov5.FunctionError{Text: "ctap tfstub serves no provider functions: " + req.Name}}, nil
}

// GetFunctions lists no functions.
func (s *Server) GetFunctions(context.Context, *tfprotov5.GetFunctionsRequest) (*tfprotov5.GetFunctionsResponse, error) {
	return &tfprotov5.GetFunctionsResponse{Functions: map[string]*tfprotov5.Function{}}, nil
}

// ValidateEphemeralResourceConfig refuses: no ephemeral resources are served.
func (s *Server) ValidateEphemeralResourceConfig(_ context.Context, req *tfprotov5.ValidateEphemeralResourceConfigRequest) (*tfprotov5.ValidateEphemeralResourceConfigResponse, error) {
	return &tfprotov5.ValidateEphemeralResourceConfigResponse{Diagnostics: errDiag("ctap tfstub serves no ephemeral resources", req.TypeName)}, nil
}

// OpenEphemeralResource refuses.
func (s *Server) OpenEphemeralResource(_ context.Context, req *tfprotov5.OpenEphemeralResourceRequest) (*tfprotov5.OpenEphemeralResourceResponse, error) {
	return &tfprotov5.OpenEphemeralResourceResponse{Diagnostics: errDiag("ctap tfstub serves no ephemeral resources", req.TypeName)}, nil
}

// RenewEphemeralResource refuses.
func (s *Server) RenewEphemeralResource(_ context.Context, req *tfprotov5.RenewEphemeralResourceRequest) (*tfprotov5.RenewEphemeralResourceResponse, error) {
	return &tfprotov5.RenewEphemeralResourceResponse{Diagnostics: errDiag("ctap tfstub serves no ephemeral resources", req.TypeName)}, nil
}

// CloseEphemeralResource refuses.
func (s *Server) CloseEphemeralResource(_ context.Context, req *tfprotov5.CloseEphemeralResourceRequest) (*tfprotov5.CloseEphemeralResourceResponse, error) {
	return &tfprotov5.CloseEphemeralResourceResponse{Diagnostics: errDiag("ctap tfstub serves no ephemeral resources", req.TypeName)}, nil
}
