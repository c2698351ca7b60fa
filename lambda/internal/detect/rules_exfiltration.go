package detect

import (
	"bytes"
	"strings"

	"github.com/ctap-platform/ctap/lambda/internal/cloudtrail"
	"github.com/ctap-platform/ctap/lambda/internal/finding"
)

// exfiltrationRules catch data made public or shared out, and destruction.
func exfiltrationRules() []Rule {
	return []Rule{
		sharing("exfiltration-ebs-snapshot-public", "EBS snapshot made public", true, "ec2.amazonaws.com", "ModifySnapshotAttribute",
			func(e *cloudtrail.Event) (bool, []string) {
				return permissionAdds(get(params(e), "createVolumePermission", "add"))
			},
			`{"eventSource":"ec2.amazonaws.com","eventName":"ModifySnapshotAttribute","requestParameters":{"snapshotId":"snap-0123456789abcdef0","attributeType":"CREATE_VOLUME_PERMISSION","createVolumePermission":{"add":{"items":[{"group":"all"}]}}}}`,
			`{"eventSource":"ec2.amazonaws.com","eventName":"ModifySnapshotAttribute","requestParameters":{"snapshotId":"snap-0123456789abcdef0","attributeType":"CREATE_VOLUME_PERMISSION","createVolumePermission":{"remove":{"items":[{"group":"all"}]}}}}`),
		sharing("exfiltration-ebs-snapshot-shared-external", "EBS snapshot shared with another account", false, "ec2.amazonaws.com", "ModifySnapshotAttribute",
			func(e *cloudtrail.Event) (bool, []string) {
				return permissionAdds(get(params(e), "createVolumePermission", "add"))
			},
			`{"eventSource":"ec2.amazonaws.com","eventName":"ModifySnapshotAttribute","requestParameters":{"snapshotId":"snap-0123456789abcdef0","attributeType":"CREATE_VOLUME_PERMISSION","createVolumePermission":{"add":{"items":[{"userId":"444455556666"}]}}}}`,
			`{"eventSource":"ec2.amazonaws.com","eventName":"ModifySnapshotAttribute","errorCode":"Client.InvalidSnapshot.NotFound","requestParameters":{"snapshotId":"snap-0123456789abcdef0","createVolumePermission":{"add":{"items":[{"userId":"444455556666"}]}}}}`),
		sharing("exfiltration-ami-public", "AMI made public", true, "ec2.amazonaws.com", "ModifyImageAttribute",
			func(e *cloudtrail.Event) (bool, []string) {
				return permissionAdds(get(params(e), "launchPermission", "add"))
			},
			`{"eventSource":"ec2.amazonaws.com","eventName":"ModifyImageAttribute","requestParameters":{"imageId":"ami-0123456789abcdef0","attributeType":"launchPermission","launchPermission":{"add":{"items":[{"group":"all"}]}}}}`,
			`{"eventSource":"ec2.amazonaws.com","eventName":"ModifyImageAttribute","requestParameters":{"imageId":"ami-0123456789abcdef0","attributeType":"launchPermission","launchPermission":{"add":{"items":[{"organizationArn":"arn:aws:organizations::111122223333:organization/o-example"}]}}}}`),
		sharing("exfiltration-ami-shared-external", "AMI shared with another account", false, "ec2.amazonaws.com", "ModifyImageAttribute",
			func(e *cloudtrail.Event) (bool, []string) {
				return permissionAdds(get(params(e), "launchPermission", "add"))
			},
			`{"eventSource":"ec2.amazonaws.com","eventName":"ModifyImageAttribute","requestParameters":{"imageId":"ami-0123456789abcdef0","attributeType":"launchPermission","launchPermission":{"add":{"items":[{"userId":"444455556666"}]}}}}`,
			`{"eventSource":"ec2.amazonaws.com","eventName":"ModifyImageAttribute","requestParameters":{"imageId":"ami-0123456789abcdef0","attributeType":"description","description":{"value":"golden image"}}}`),
		sharing("exfiltration-rds-snapshot-public", "RDS snapshot made public", true, "rds.amazonaws.com", "ModifyDBSnapshotAttribute",
			rdsRestoreAdds,
			`{"eventSource":"rds.amazonaws.com","eventName":"ModifyDBSnapshotAttribute","requestParameters":{"dBSnapshotIdentifier":"prod-db-2026-01-15","attributeName":"restore","valuesToAdd":["all"]}}`,
			`{"eventSource":"rds.amazonaws.com","eventName":"ModifyDBSnapshotAttribute","requestParameters":{"dBSnapshotIdentifier":"prod-db-2026-01-15","attributeName":"restore","valuesToRemove":["all"]}}`,
			"ModifyDBClusterSnapshotAttribute"),
		sharing("exfiltration-rds-snapshot-shared-external", "RDS snapshot shared with another account", false, "rds.amazonaws.com", "ModifyDBSnapshotAttribute",
			rdsRestoreAdds,
			`{"eventSource":"rds.amazonaws.com","eventName":"ModifyDBClusterSnapshotAttribute","requestParameters":{"dBClusterSnapshotIdentifier":"aurora-prod-final","attributeName":"restore","valuesToAdd":["444455556666"]}}`,
			`{"eventSource":"rds.amazonaws.com","eventName":"ModifyDBClusterSnapshotAttribute","errorCode":"DBClusterSnapshotNotFoundFault","requestParameters":{"dBClusterSnapshotIdentifier":"aurora-prod-final","attributeName":"restore","valuesToAdd":["444455556666"]}}`,
			"ModifyDBClusterSnapshotAttribute"),
		{
			ID: "exfiltration-s3-bucket-policy-public", Title: "S3 bucket policy allows everyone",
			Severity: finding.Critical, Tactic: "Exfiltration", Technique: "T1530", References: []string{"CIS 4.8", "ATT&CK T1530"},
			Description: "PutBucketPolicy with an Allow statement for Principal \"*\" and no Condition.",
			EventSource: "s3.amazonaws.com", EventNames: []string{"PutBucketPolicy"},
			Match: func(e *cloudtrail.Event) bool {
				return succeeded(e) && anyStatement(e, publicStatement, "bucketPolicy")
			},
			Examples: Examples{
				Positive: ev(`{"eventSource":"s3.amazonaws.com","eventName":"PutBucketPolicy","requestParameters":{"bucketName":"finance-reports","policy":"","bucketPolicy":{"Version":"2012-10-17","Statement":[{"Sid":"x","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::finance-reports/*"}]}}}`),
				Negative: ev(`{"eventSource":"s3.amazonaws.com","eventName":"PutBucketPolicy","requestParameters":{"bucketName":"finance-reports","policy":"","bucketPolicy":{"Version":"2012-10-17","Statement":[{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::finance-reports/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}}}`),
			},
		},
		{
			ID: "exfiltration-s3-bucket-acl-public", Title: "S3 bucket ACL grants public access",
			Severity: finding.Critical, Tactic: "Exfiltration", Technique: "T1530", References: []string{"CIS 4.8", "ATT&CK T1530"},
			Description: "PutBucketAcl granted AllUsers or AuthenticatedUsers, or used a public canned ACL.",
			EventSource: "s3.amazonaws.com", EventNames: []string{"PutBucketAcl"},
			Match: func(e *cloudtrail.Event) bool { return succeeded(e) && anyString(params(e), publicACLValue) },
			Examples: Examples{
				Positive: ev(`{"eventSource":"s3.amazonaws.com","eventName":"PutBucketAcl","requestParameters":{"bucketName":"finance-reports","acl":"","AccessControlPolicy":{"AccessControlList":{"Grant":[{"Grantee":{"xsi:type":"Group","URI":"http://acs.amazonaws.com/groups/global/AllUsers"},"Permission":"READ"}]}}}}`),
				Negative: ev(`{"eventSource":"s3.amazonaws.com","eventName":"PutBucketAcl","requestParameters":{"bucketName":"finance-reports","acl":"","x-amz-acl":["private"]}}`),
			},
		},
		{
			ID: "exfiltration-s3-public-access-block-removed", Title: "S3 bucket public access block removed",
			Severity: finding.Critical, Tactic: "Exfiltration", Technique: "T1530", References: []string{"CIS 2.1.4", "ATT&CK T1530"},
			Description: "DeletePublicAccessBlock on a bucket, or PutPublicAccessBlock with any of the four settings false.",
			EventSource: "s3.amazonaws.com", EventNames: []string{"DeletePublicAccessBlock", "PutPublicAccessBlock"},
			Match: func(e *cloudtrail.Event) bool {
				p := params(e)
				if !succeeded(e) || str(get(p, "bucketName")) == "" {
					return false
				}
				return BaseEventName(e.EventName) == "DeletePublicAccessBlock" || weakensPublicAccessBlock(p)
			},
			Examples: Examples{
				Positive: ev(`{"eventSource":"s3.amazonaws.com","eventName":"PutPublicAccessBlock","requestParameters":{"publicAccessBlock":"","bucketName":"finance-reports","PublicAccessBlockConfiguration":{"xmlns":"http://s3.amazonaws.com/doc/2006-03-01/","RestrictPublicBuckets":false,"BlockPublicPolicy":false,"BlockPublicAcls":true,"IgnorePublicAcls":true}}}`),
				Negative: ev(`{"eventSource":"s3.amazonaws.com","eventName":"PutPublicAccessBlock","requestParameters":{"publicAccessBlock":"","bucketName":"finance-reports","PublicAccessBlockConfiguration":{"RestrictPublicBuckets":true,"BlockPublicPolicy":true,"BlockPublicAcls":true,"IgnorePublicAcls":true}}}`),
			},
		},
		{
			ID: "exfiltration-s3-account-public-access-block-removed", Title: "Account-level S3 public access block removed",
			Severity: finding.Critical, Tactic: "Exfiltration", Technique: "T1530", References: []string{"CIS 2.1.4", "ATT&CK T1530"},
			Description: "The account-wide (s3control) public access block was deleted or had a setting turned off.",
			EventNames:  []string{"DeleteAccountPublicAccessBlock", "PutAccountPublicAccessBlock", "DeletePublicAccessBlock", "PutPublicAccessBlock"},
			Match: func(e *cloudtrail.Event) bool {
				if !succeeded(e) || !strings.HasPrefix(e.EventSource, "s3") {
					return false
				}
				p := params(e)
				name := BaseEventName(e.EventName)
				account := strings.Contains(name, "Account") || (str(get(p, "bucketName")) == "" && (e.EventSource != "s3.amazonaws.com" || str(get(p, "accountId")) != ""))
				if !account {
					return false
				}
				return strings.HasPrefix(name, "Delete") || weakensPublicAccessBlock(p)
			},
			Examples: Examples{
				Positive: ev(`{"eventSource":"s3.amazonaws.com","eventName":"DeleteAccountPublicAccessBlock","requestParameters":{"accountId":"111122223333"}}`),
				Negative: ev(`{"eventSource":"s3.amazonaws.com","eventName":"PutAccountPublicAccessBlock","requestParameters":{"accountId":"111122223333","PublicAccessBlockConfiguration":{"RestrictPublicBuckets":true,"BlockPublicPolicy":true,"BlockPublicAcls":true,"IgnorePublicAcls":true}}}`),
			},
		},
		{
			ID: "impact-s3-mass-object-deletion", Title: "Mass S3 object deletion by one principal",
			Severity: finding.High, Tactic: "Impact", Technique: "T1485", References: []string{"ATT&CK T1485"},
			Description: "100 or more successful DeleteObject/DeleteObjects calls by one principal in 10 minutes (needs S3 data events; AWS services excluded).",
			EventSource: "s3.amazonaws.com", EventNames: []string{"DeleteObject", "DeleteObjects"},
			Match:     func(e *cloudtrail.Event) bool { return succeeded(e) && !byService(e) },
			Aggregate: &Aggregate{Threshold: 100, Window: tenMinutes, Key: principalKey},
			Examples: Examples{
				Positive: ev(`{"eventSource":"s3.amazonaws.com","eventName":"DeleteObject","eventCategory":"Data","managementEvent":false,"requestParameters":{"bucketName":"finance-reports","key":"2026/01/ledger.csv"},"resources":[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::finance-reports/2026/01/ledger.csv"}]}`),
				Negative: ev(`{"eventSource":"s3.amazonaws.com","eventName":"DeleteObject","eventCategory":"Data","managementEvent":false,"errorCode":"AccessDenied","requestParameters":{"bucketName":"finance-reports","key":"2026/01/ledger.csv"}}`),
			},
		},
		{
			ID: "exposure-security-group-admin-port-open", Title: "Security group opens an admin port to the internet",
			Severity: finding.Critical, Tactic: "Initial Access", Technique: "T1133", References: []string{"CIS 5.2", "CIS 5.3", "ATT&CK T1133"},
			Description: "An ingress rule allows 0.0.0.0/0 or ::/0 to SSH, RDP, WinRM, VNC, telnet, SMB, a database, Redis, Elasticsearch, Docker or Kubernetes API ports (or all ports).",
			EventSource: "ec2.amazonaws.com", EventNames: []string{"AuthorizeSecurityGroupIngress", "ModifySecurityGroupRules"},
			Match: func(e *cloudtrail.Event) bool {
				// Most rule changes never mention a world CIDR: skip the decode.
				raw := e.RequestParameters
				world := bytes.Contains(raw, []byte(`0.0.0.0/0`)) || bytes.Contains(raw, []byte(`::/0`))
				return succeeded(e) && world && opensAdminPortToWorld(params(e))
			},
			Examples: Examples{
				Positive: ev(`{"eventSource":"ec2.amazonaws.com","eventName":"AuthorizeSecurityGroupIngress","requestParameters":{"groupId":"sg-0123456789abcdef0","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"groups":{},"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]},"ipv6Ranges":{},"prefixListIds":{}}]}}}`),
				Negative: ev(`{"eventSource":"ec2.amazonaws.com","eventName":"AuthorizeSecurityGroupIngress","requestParameters":{"groupId":"sg-0123456789abcdef0","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":443,"toPort":443,"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]}},{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipRanges":{"items":[{"cidrIp":"10.0.0.0/8"}]}}]}}}`),
			},
		},
		{
			ID: "impact-s3-bucket-encryption-deleted", Title: "S3 default encryption deleted",
			Severity: finding.High, Tactic: "Impact", Technique: "T1486", References: []string{"ATT&CK T1486"},
			Description: "DeleteBucketEncryption: the bucket's default encryption configuration was removed.",
			EventSource: "s3.amazonaws.com", EventNames: []string{"DeleteBucketEncryption"}, Match: succeeded,
			Examples: Examples{
				Positive: ev(`{"eventSource":"s3.amazonaws.com","eventName":"DeleteBucketEncryption","requestParameters":{"bucketName":"finance-reports","encryption":""}}`),
				Negative: ev(`{"eventSource":"s3.amazonaws.com","eventName":"PutBucketEncryption","requestParameters":{"bucketName":"finance-reports","encryption":""}}`),
			},
		},
		{
			ID: "impact-kms-key-policy-changed", Title: "KMS key policy changed",
			Severity: finding.Medium, Tactic: "Impact", Technique: "T1486", References: []string{"ATT&CK T1486"},
			Description: "PutKeyPolicy outside IaC: who can use or manage the key changed (ransomware and lock-out both start here).",
			EventSource: "kms.amazonaws.com", EventNames: []string{"PutKeyPolicy"},
			Match: func(e *cloudtrail.Event) bool { return succeeded(e) && !byIaC(e) },
			Examples: Examples{
				Positive: ev(`{"eventSource":"kms.amazonaws.com","eventName":"PutKeyPolicy","requestParameters":{"keyId":"1234abcd-12ab-34cd-56ef-1234567890ab","policyName":"default","policy":"{\"Statement\":[]}"}}`),
				Negative: ev(`{"eventSource":"kms.amazonaws.com","eventName":"GetKeyPolicy","readOnly":true,"requestParameters":{"keyId":"1234abcd-12ab-34cd-56ef-1234567890ab","policyName":"default"}}`),
			},
		},
		{
			ID: "exfiltration-kms-key-policy-public", Title: "KMS key usable by everyone",
			Severity: finding.Critical, Tactic: "Exfiltration", Technique: "T1530", References: []string{"ATT&CK T1530"},
			Description: "CreateKey or PutKeyPolicy with an Allow statement for Principal \"*\" and no Condition.",
			EventSource: "kms.amazonaws.com", EventNames: []string{"PutKeyPolicy", "CreateKey"},
			Match: func(e *cloudtrail.Event) bool { return succeeded(e) && anyStatement(e, publicStatement, "policy") },
			Examples: Examples{
				Positive: ev(`{"eventSource":"kms.amazonaws.com","eventName":"PutKeyPolicy","requestParameters":{"keyId":"1234abcd-12ab-34cd-56ef-1234567890ab","policyName":"default","policy":"{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}]}"}}`),
				Negative: ev(`{"eventSource":"kms.amazonaws.com","eventName":"PutKeyPolicy","requestParameters":{"keyId":"1234abcd-12ab-34cd-56ef-1234567890ab","policyName":"default","policy":"{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:root\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}]}"}}`),
			},
		},
		{
			ID: "exfiltration-rds-instance-public", Title: "RDS instance made publicly accessible",
			Severity: finding.High, Tactic: "Exfiltration", Technique: "T1530", References: []string{"ATT&CK T1530"},
			Description: "CreateDBInstance or ModifyDBInstance with publiclyAccessible=true.",
			EventSource: "rds.amazonaws.com", EventNames: []string{"ModifyDBInstance", "CreateDBInstance"},
			Match: func(e *cloudtrail.Event) bool { return succeeded(e) && isTrue(get(params(e), "publiclyAccessible")) },
			Examples: Examples{
				Positive: ev(`{"eventSource":"rds.amazonaws.com","eventName":"ModifyDBInstance","requestParameters":{"dBInstanceIdentifier":"prod-db","publiclyAccessible":true,"applyImmediately":true}}`),
				Negative: ev(`{"eventSource":"rds.amazonaws.com","eventName":"ModifyDBInstance","requestParameters":{"dBInstanceIdentifier":"prod-db","dBInstanceClass":"db.r6g.large"}}`),
			},
		},
		{
			ID: "exfiltration-s3-replication-external", Title: "S3 replication to another account",
			Severity: finding.High, Tactic: "Exfiltration", Technique: "T1537", References: []string{"ATT&CK T1537"},
			Description: "PutBucketReplication with a destination owned by another account: every new object is copied out.",
			EventSource: "s3.amazonaws.com", EventNames: []string{"PutBucketReplication"},
			Match: func(e *cloudtrail.Event) bool {
				if !succeeded(e) {
					return false
				}
				for _, r := range items(get(params(e), "ReplicationConfiguration", "Rule")) {
					if external(e, str(get(r, "Destination", "Account"))) {
						return true
					}
				}
				return false
			},
			Examples: Examples{
				Positive: ev(`{"eventSource":"s3.amazonaws.com","eventName":"PutBucketReplication","requestParameters":{"bucketName":"finance-reports","replication":"","ReplicationConfiguration":{"Role":"arn:aws:iam::111122223333:role/repl","Rule":{"Status":"Enabled","Destination":{"Bucket":"arn:aws:s3:::drop-zone","Account":"444455556666"}}}}}`),
				Negative: ev(`{"eventSource":"s3.amazonaws.com","eventName":"PutBucketReplication","requestParameters":{"bucketName":"finance-reports","replication":"","ReplicationConfiguration":{"Role":"arn:aws:iam::111122223333:role/repl","Rule":[{"Status":"Enabled","Destination":{"Bucket":"arn:aws:s3:::finance-reports-dr"}}]}}}`),
			},
		},
	}
}

// sharing builds a snapshot/image sharing rule: public=true fires when the
// resource is opened to everyone ("all"), public=false when it is shared
// with specific accounts other than the event's own.
func sharing(id, title string, public bool, source, name string, adds func(*cloudtrail.Event) (bool, []string), positive, negative string, moreNames ...string) Rule {
	sev, desc := finding.High, title+": the resource can now be copied into an account you do not control."
	if public {
		sev, desc = finding.Critical, title+": any AWS account can now copy it."
	}
	return Rule{
		ID: id, Title: title, Severity: sev, Tactic: "Exfiltration", Technique: "T1537", References: []string{"ATT&CK T1537"},
		Description: desc, EventSource: source, EventNames: append([]string{name}, moreNames...),
		Match: func(e *cloudtrail.Event) bool {
			if !succeeded(e) {
				return false
			}
			all, accounts := adds(e)
			if public {
				return all
			}
			for _, a := range accounts {
				if external(e, a) {
					return true
				}
			}
			return false
		},
		Examples: Examples{Positive: ev(positive), Negative: ev(negative)},
	}
}

// permissionAdds reads EC2's {"items":[{"group":"all"},{"userId":"..."}]}.
func permissionAdds(add any) (all bool, accounts []string) {
	for _, it := range items(add) {
		if strings.EqualFold(str(get(it, "group")), "all") {
			all = true
		}
		if u := str(get(it, "userId")); u != "" {
			accounts = append(accounts, u)
		}
	}
	return all, accounts
}

// rdsRestoreAdds reads ModifyDB(Cluster)SnapshotAttribute restore values.
func rdsRestoreAdds(e *cloudtrail.Event) (all bool, accounts []string) {
	p := params(e)
	if !strings.EqualFold(str(get(p, "attributeName")), "restore") {
		return false, nil
	}
	for _, v := range strs(get(p, "valuesToAdd")) {
		if strings.EqualFold(v, "all") {
			all = true
		} else {
			accounts = append(accounts, v)
		}
	}
	return all, accounts
}

func publicACLValue(s string) bool {
	switch s {
	case "public-read", "public-read-write", "authenticated-read":
		return true
	}
	return strings.Contains(s, "acs.amazonaws.com/groups/global/AllUsers") || strings.Contains(s, "acs.amazonaws.com/groups/global/AuthenticatedUsers")
}

// weakensPublicAccessBlock reports any of the four settings set to false.
func weakensPublicAccessBlock(p any) bool {
	cfg := get(p, "PublicAccessBlockConfiguration")
	for _, k := range []string{"BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"} {
		if isFalse(get(cfg, k)) {
			return true
		}
	}
	return false
}

// adminPorts are ports that must never face the internet.
var adminPorts = []int{22, 23, 135, 139, 445, 1433, 1521, 2375, 2376, 3306, 3389, 5432, 5900, 5985, 5986, 6379, 6443, 9200, 9300, 11211, 27017}

// opensAdminPortToWorld inspects both request shapes: EC2's classic
// ipPermissions (items with ipProtocol/fromPort/toPort/ipRanges/ipv6Ranges)
// and ModifySecurityGroupRules' SecurityGroupRule (IpProtocol, FromPort,
// ToPort, CidrIpv4, CidrIpv6). Any object that carries a protocol is one
// permission; a world CIDR anywhere inside it opens it.
func opensAdminPortToWorld(p any) bool {
	found := false
	var visit func(v any, depth int)
	visit = func(v any, depth int) {
		if found || depth > 32 {
			return
		}
		switch t := v.(type) {
		case map[string]any:
			if proto, ok := protocolOf(t); ok {
				if anyString(t, func(s string) bool { return s == "0.0.0.0/0" || s == "::/0" }) && coversAdminPort(t, proto) {
					found = true
					return
				}
			}
			for _, val := range t {
				visit(val, depth+1)
			}
		case []any:
			for _, val := range t {
				visit(val, depth+1)
			}
		}
	}
	visit(p, 0)
	return found
}

func protocolOf(m map[string]any) (string, bool) {
	v := get(m, "ipProtocol")
	if v == nil {
		return "", false
	}
	return strings.ToLower(str(v)), true
}

func coversAdminPort(m map[string]any, proto string) bool {
	if proto == "-1" || proto == "all" {
		return true
	}
	if proto != "tcp" && proto != "6" {
		return false
	}
	from, okFrom := number(get(m, "fromPort"))
	to, okTo := number(get(m, "toPort"))
	if !okFrom && !okTo {
		return true // no range given: all ports of the protocol
	}
	if !okTo {
		to = from
	}
	if !okFrom {
		from = to
	}
	if from < 0 || to < 0 { // -1 means all ports
		return true
	}
	for _, port := range adminPorts {
		if float64(port) >= from && float64(port) <= to {
			return true
		}
	}
	return false
}
