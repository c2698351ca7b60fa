package schema

import (
	"fmt"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/zclconf/go-cty/cty"
)

type kind int

const (
	kindResource kind = iota
	kindDataSource
)

func (k kind) String() string {
	if k == kindDataSource {
		return "data source"
	}
	return "resource"
}

// Delta is one v5.100.0 → v6.0 schema change that the stand-in applies, taken from the
// provider's "Version 6 Upgrade Guide" and "Enhanced Region Support" guide.
type Delta struct {
	// DataSource says the change is to a data source rather than a resource.
	DataSource bool
	// Type is the resource or data source type.
	Type string
	// Change says what changes, for the README and error messages.
	Change string
	apply  func(*tfjson.SchemaBlock) error
}

// removedResources are the resources v6.0 drops.
var removedResources = map[string]bool{
	"aws_simpledb_domain": true,
	"aws_worklink_fleet":  true,
	"aws_worklink_website_certificate_authority_association": true,
	"aws_redshift_service_account":                           true,
	"aws_opsworks_application":                               true,
	"aws_opsworks_custom_layer":                              true,
	"aws_opsworks_ecs_cluster_layer":                         true,
	"aws_opsworks_ganglia_layer":                             true,
	"aws_opsworks_haproxy_layer":                             true,
	"aws_opsworks_instance":                                  true,
	"aws_opsworks_java_app_layer":                            true,
	"aws_opsworks_memcached_layer":                           true,
	"aws_opsworks_mysql_layer":                               true,
	"aws_opsworks_nodejs_app_layer":                          true,
	"aws_opsworks_permission":                                true,
	"aws_opsworks_php_app_layer":                             true,
	"aws_opsworks_rails_app_layer":                           true,
	"aws_opsworks_rds_db_instance":                           true,
	"aws_opsworks_stack":                                     true,
	"aws_opsworks_static_web_layer":                          true,
	"aws_opsworks_user_profile":                              true,
}

// removedDataSources are the data sources v6.0 drops.
var removedDataSources = map[string]bool{
	"aws_redshift_service_account": true,
}

// globalPrefixes are the services the Enhanced Region Support guide lists as global:
// their types get no `region` argument.
var globalPrefixes = []string{
	"aws_account_", "aws_billing_", "aws_bcmdataexports_", "aws_budgets_", "aws_cloudfront_",
	"aws_cloudfrontkeyvaluestore_", "aws_ce_", "aws_costoptimizationhub_", "aws_cur_",
	"aws_globalaccelerator_", "aws_iam_", "aws_rolesanywhere_", "aws_networkmanager_",
	"aws_organizations_", "aws_pricing_", "aws_route53_", "aws_route53domains_",
	"aws_route53recoverycontrolconfig_", "aws_route53recoveryreadiness_", "aws_shield_",
	"aws_notifications_", "aws_notificationscontacts_", "aws_waf_",
}

// globalTypes are single global types in regional services, the meta data sources and the
// policy-document data sources, which the guide also leaves without `region`.
var globalTypes = map[kind]map[string]bool{
	kindResource: {
		"aws_backup_global_settings": true, "aws_chimesdkvoice_global_settings": true,
		"aws_cloudtrail_organization_delegated_admin_account": true, "aws_dx_gateway": true,
		"aws_ec2_image_block_public_access": true, "aws_fms_admin_account": true,
		"aws_vpc_ipam_organization_admin_account": true, "aws_quicksight_account_settings": true,
		"aws_ram_sharing_with_organization": true, "aws_s3_account_public_access_block": true,
		"aws_servicecatalog_organizations_access": true,
	},
	kindDataSource: {
		"aws_dx_gateway": true, "aws_canonical_user_id": true, "aws_s3_account_public_access_block": true,
		"aws_caller_identity": true, "aws_default_tags": true, "aws_partition": true, "aws_regions": true,
		"aws_arn": true, "aws_cloudwatch_log_data_protection_policy_document": true,
		"aws_ecr_lifecycle_policy_document": true,
	},
}

// deprecatedRegion lists the types whose pre-v6 top-level `region` stays with its old
// meaning, deprecated, instead of becoming the Enhanced Region Support argument.
var deprecatedRegion = map[kind]map[string]bool{
	kindResource: {
		"aws_cloudformation_stack_set_instance": true, "aws_config_aggregate_authorization": true,
		"aws_dx_hosted_connection": true, "aws_servicequotas_template": true,
		"aws_ssmincidents_replication_set": true,
	},
	kindDataSource: {
		"aws_servicequotas_templates": true, "aws_ssmincidents_replication_set": true,
		"aws_vpc_endpoint_service": true, "aws_vpc_peering_connection": true,
	},
}

// Deltas lists the per-type changes applied on top of the region argument, in the order
// the upgrade guide gives them.
var Deltas = []Delta{
	{true, "aws_batch_compute_environment", "compute_environment_name renamed to name", rename("compute_environment_name", "name")},
	{true, "aws_ecs_task_definition", "inference_accelerator removed", remove("inference_accelerator")},
	{true, "aws_globalaccelerator_accelerator", "id is computed only", computedOnly("id")},
	{true, "aws_identitystore_group", "filter removed", remove("filter")},
	{true, "aws_identitystore_user", "filter removed", remove("filter")},
	{true, "aws_launch_template", "elastic_gpu_specifications and elastic_inference_accelerator removed", remove("elastic_gpu_specifications", "elastic_inference_accelerator")},
	{true, "aws_opensearch_domain", "kibana_endpoint removed", remove("kibana_endpoint")},
	{true, "aws_quicksight_data_set", "tags_all removed", remove("tags_all")},
	{true, "aws_region", "region added (optional, computed); name deprecated", func(b *tfjson.SchemaBlock) error {
		b.Attributes["region"] = &tfjson.SchemaAttribute{AttributeType: cty.String, Optional: true, Computed: true, DescriptionKind: tfjson.SchemaDescriptionKindPlain}
		return deprecate("name")(b)
	}},
	{true, "aws_s3_bucket", "bucket_region added; region becomes the Enhanced Region Support argument", addComputed("bucket_region")},
	{true, "aws_service_discovery_service", "tags_all removed", remove("tags_all")},
	{false, "aws_api_gateway_account", "reset_on_delete removed", remove("reset_on_delete")},
	{false, "aws_api_gateway_deployment", "stage_name, stage_description, canary_settings, invoke_url and execution_arn removed", remove("stage_name", "stage_description", "canary_settings", "invoke_url", "execution_arn")},
	{false, "aws_batch_compute_environment", "compute_environment_name(_prefix) renamed to name(_prefix)", func(b *tfjson.SchemaBlock) error {
		if err := rename("compute_environment_name", "name")(b); err != nil {
			return err
		}
		return rename("compute_environment_name_prefix", "name_prefix")(b)
	}},
	{false, "aws_batch_job_queue", "compute_environments removed", remove("compute_environments")},
	{false, "aws_cloudfront_response_headers_policy", "etag is computed only", computedOnly("etag")},
	{false, "aws_dms_endpoint", "s3_settings removed", remove("s3_settings")},
	{false, "aws_dx_gateway_association", "vpn_gateway_id removed", remove("vpn_gateway_id")},
	{false, "aws_ecs_task_definition", "inference_accelerator removed", remove("inference_accelerator")},
	{false, "aws_eip", "vpc removed", remove("vpc")},
	{false, "aws_eks_addon", "resolve_conflicts removed", remove("resolve_conflicts")},
	{false, "aws_flow_log", "log_group_name removed", remove("log_group_name")},
	{false, "aws_guardduty_detector", "datasources deprecated", deprecate("datasources")},
	{false, "aws_guardduty_organization_configuration", "auto_enable removed; auto_enable_organization_members required; datasources deprecated", func(b *tfjson.SchemaBlock) error {
		if err := remove("auto_enable")(b); err != nil {
			return err
		}
		a, ok := b.Attributes["auto_enable_organization_members"]
		if !ok {
			return fmt.Errorf("no attribute auto_enable_organization_members")
		}
		a.Required, a.Optional, a.Computed = true, false, false
		return deprecate("datasources")(b)
	}},
	{false, "aws_instance", "cpu_core_count and cpu_threads_per_core removed", remove("cpu_core_count", "cpu_threads_per_core")},
	{false, "aws_launch_template", "elastic_gpu_specifications and elastic_inference_accelerator removed", remove("elastic_gpu_specifications", "elastic_inference_accelerator")},
	{false, "aws_networkmanager_core_network", "base_policy_region removed", remove("base_policy_region")},
	{false, "aws_opensearch_domain", "kibana_endpoint removed", remove("kibana_endpoint")},
	{false, "aws_redshift_cluster", "snapshot_copy and logging removed; cluster_public_key, cluster_revision_number and endpoint computed only", func(b *tfjson.SchemaBlock) error {
		if err := remove("snapshot_copy", "logging")(b); err != nil {
			return err
		}
		return computedOnly("cluster_public_key", "cluster_revision_number", "endpoint")(b)
	}},
	{false, "aws_s3_bucket", "bucket_region added; region becomes the Enhanced Region Support argument", addComputed("bucket_region")},
	{false, "aws_sagemaker_notebook_instance", "accelerator_types removed", remove("accelerator_types")},
	{false, "aws_spot_instance_request", "block_duration_minutes removed", remove("block_duration_minutes")},
	{false, "aws_ssm_association", "instance_id removed", remove("instance_id")},
}

var deltaIndex = func() map[kind]map[string][]Delta {
	m := map[kind]map[string][]Delta{kindResource: {}, kindDataSource: {}}
	for _, d := range Deltas {
		k := kindResource
		if d.DataSource {
			k = kindDataSource
		}
		m[k][d.Type] = append(m[k][d.Type], d)
	}
	return m
}()

// IsRegional reports whether v6 gives the type the per-resource `region` argument.
func IsRegional(dataSource bool, typeName string) bool {
	k := kindResource
	if dataSource {
		k = kindDataSource
	}
	return isRegional(k, typeName)
}

func isRegional(k kind, name string) bool {
	if globalTypes[k][name] || deprecatedRegion[k][name] {
		return false
	}
	for _, p := range globalPrefixes {
		if strings.HasPrefix(name, p) {
			return false
		}
	}
	// aws_region's own region attribute is added by its delta.
	return !(k == kindDataSource && name == "aws_region")
}

func adjust(k kind, name string, s *tfjson.Schema) (*tfjson.Schema, error) {
	if s == nil || s.Block == nil {
		return nil, fmt.Errorf("%s %s: upstream schema did not decode", k, name)
	}
	if s.Block.Attributes == nil {
		s.Block.Attributes = map[string]*tfjson.SchemaAttribute{}
	}
	for _, d := range deltaIndex[k][name] {
		if err := d.apply(s.Block); err != nil {
			return nil, fmt.Errorf("%s %s: v6 delta %q: %w", k, name, d.Change, err)
		}
	}
	if deprecatedRegion[k][name] {
		if err := deprecate("region")(s.Block); err != nil {
			return nil, fmt.Errorf("%s %s: %w", k, name, err)
		}
	}
	if isRegional(k, name) {
		// Enhanced Region Support: optional, computed, defaults to the provider's region.
		s.Block.Attributes["region"] = &tfjson.SchemaAttribute{
			AttributeType:   cty.String,
			Optional:        true,
			Computed:        true,
			Description:     "Region where this resource will be managed. Defaults to the Region set in the provider configuration.",
			DescriptionKind: tfjson.SchemaDescriptionKindPlain,
		}
	}
	return s, nil
}

func remove(names ...string) func(*tfjson.SchemaBlock) error {
	return func(b *tfjson.SchemaBlock) error {
		for _, n := range names {
			_, a := b.Attributes[n]
			_, nb := b.NestedBlocks[n]
			if !a && !nb {
				return fmt.Errorf("no attribute or block %s to remove", n)
			}
			delete(b.Attributes, n)
			delete(b.NestedBlocks, n)
		}
		return nil
	}
}

func rename(from, to string) func(*tfjson.SchemaBlock) error {
	return func(b *tfjson.SchemaBlock) error {
		a, ok := b.Attributes[from]
		if !ok {
			return fmt.Errorf("no attribute %s to rename", from)
		}
		delete(b.Attributes, from)
		b.Attributes[to] = a
		return nil
	}
}

func deprecate(names ...string) func(*tfjson.SchemaBlock) error {
	return func(b *tfjson.SchemaBlock) error {
		for _, n := range names {
			if a, ok := b.Attributes[n]; ok {
				a.Deprecated = true
				continue
			}
			if nb, ok := b.NestedBlocks[n]; ok && nb.Block != nil {
				nb.Block.Deprecated = true
				continue
			}
			return fmt.Errorf("no attribute or block %s to deprecate", n)
		}
		return nil
	}
}

func computedOnly(names ...string) func(*tfjson.SchemaBlock) error {
	return func(b *tfjson.SchemaBlock) error {
		for _, n := range names {
			a, ok := b.Attributes[n]
			if !ok {
				return fmt.Errorf("no attribute %s", n)
			}
			a.Required, a.Optional, a.Computed = false, false, true
		}
		return nil
	}
}

func addComputed(name string) func(*tfjson.SchemaBlock) error {
	return func(b *tfjson.SchemaBlock) error {
		b.Attributes[name] = &tfjson.SchemaAttribute{AttributeType: cty.String, Computed: true, DescriptionKind: tfjson.SchemaDescriptionKindPlain}
		return nil
	}
}

// endpointServices are the `endpoints` keys served. The real provider accepts one per
// AWS service (~300); this list covers the services ctap uses and the common ones, so a
// custom endpoint for anything else fails validate here while the real provider accepts it.
var endpointServices = []string{
	"accessanalyzer", "acm", "apigateway", "apigatewayv2", "appconfig", "athena", "autoscaling",
	"backup", "batch", "cloudformation", "cloudfront", "cloudtrail", "cloudwatch",
	"cloudwatchevents", "cloudwatchlog", "cloudwatchlogs", "codebuild", "codecommit",
	"codepipeline", "cognitoidentity", "cognitoidp", "configservice", "dynamodb", "ec2", "ecr",
	"ecs", "efs", "eks", "elasticache", "elb", "elbv2", "emr", "es", "eventbridge", "events",
	"firehose", "glacier", "glue", "guardduty", "iam", "inspector2", "kinesis", "kms", "lambda",
	"logs", "opensearch", "organizations", "rds", "redshift", "route53", "s3", "s3api",
	"s3control", "scheduler", "secretsmanager", "securityhub", "ses", "sesv2", "sfn", "sns",
	"sqs", "ssm", "stepfunctions", "sts", "wafv2", "xray",
}

func addEndpoints(s *tfjson.Schema) {
	b := s.Block.NestedBlocks["endpoints"].Block
	b.Attributes = map[string]*tfjson.SchemaAttribute{}
	for _, n := range endpointServices {
		b.Attributes[n] = &tfjson.SchemaAttribute{AttributeType: cty.String, Optional: true, DescriptionKind: tfjson.SchemaDescriptionKindPlain}
	}
}
