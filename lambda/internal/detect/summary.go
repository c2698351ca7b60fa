package detect

import (
	"encoding/json"
	"strings"

	"github.com/ctap-platform/ctap/lambda/internal/cloudtrail"
)

// summaryTargets are requestParameters keys that name what a call acted on,
// most specific first. The first one present names the target in summaries.
var summaryTargets = []string{
	"name", "trailName", "bucketName", "userName", "roleName", "groupName", "policyArn", "policyName",
	"functionName", "layerName", "keyId", "secretId", "detectorId", "groupId", "networkAclId",
	"routeTableId", "internetGatewayId", "vpcId", "snapshotId", "imageId", "instanceId",
	"dBSnapshotIdentifier", "dBClusterSnapshotIdentifier", "dBInstanceIdentifier",
	"configurationRecorderName", "deliveryChannelName", "logGroupName", "resolverQueryLogConfigId",
	"accountId", "targetId", "policyId", "ruleName", "alarmNames", "analyzerName",
}

// summary is one readable line: who did what to which resource, where, from
// where, and whether it failed. E.g. "root user called StopLogging on
// management-trail in 111122223333/us-east-1 from 203.0.113.9".
func summary(ev *cloudtrail.Event) string {
	var b strings.Builder
	b.WriteString(actor(ev))
	b.WriteString(" called ")
	if ev.EventName != "" {
		b.WriteString(ev.EventName)
	} else {
		b.WriteString("an unnamed API")
	}
	if t := target(ev); t != "" {
		b.WriteString(" on ")
		b.WriteString(t)
	}
	b.WriteString(" in ")
	if a := ev.AccountID(); a != "" {
		b.WriteString(a)
	} else {
		b.WriteString("an unknown account")
	}
	if ev.AWSRegion != "" {
		b.WriteString("/")
		b.WriteString(ev.AWSRegion)
	}
	if ev.SourceIPAddress != "" {
		b.WriteString(" from ")
		b.WriteString(ev.SourceIPAddress)
	}
	if ev.ErrorCode != "" {
		b.WriteString(" (failed: ")
		b.WriteString(ev.ErrorCode)
		b.WriteString(")")
	} else if ev.ErrorMessage != "" {
		b.WriteString(" (failed: ")
		b.WriteString(ev.ErrorMessage)
		b.WriteString(")")
	}
	return b.String()
}

// actor names the caller the way a responder would say it.
func actor(ev *cloudtrail.Event) string {
	u := ev.UserIdentity
	switch u.Type {
	case "Root":
		return "root user"
	case "IAMUser":
		if n := callerUserName(ev); n != "" {
			return "IAM user " + n
		}
	case "AssumedRole":
		if u.SessionContext != nil && u.SessionContext.SessionIssuer.UserName != "" {
			session := u.ARN[strings.LastIndexByte(u.ARN, '/')+1:]
			return "role " + u.SessionContext.SessionIssuer.UserName + " (session " + session + ")"
		}
	case "AWSService":
		if u.InvokedBy != "" {
			return "service " + u.InvokedBy
		}
	}
	if a := ev.PrincipalARN(); a != "" {
		return a
	}
	if u.UserName != "" {
		return u.UserName
	}
	return "unknown principal"
}

// target names the resource the call acted on, "" when unknown. It decodes
// only the top level of requestParameters: summaries are built for every
// finding, and a full decode of large parameters would dominate.
func target(ev *cloudtrail.Event) string {
	var top map[string]json.RawMessage
	if json.Unmarshal(ev.RequestParameters, &top) != nil || len(top) == 0 {
		return ""
	}
	for _, k := range summaryTargets {
		v, ok := top[k]
		if !ok || len(v) == 0 {
			continue
		}
		switch v[0] {
		case '"':
			var s string
			if json.Unmarshal(v, &s) == nil && s != "" {
				return s
			}
		case '[':
			var l []string
			if json.Unmarshal(v, &l) == nil && len(l) > 0 {
				return strings.Join(l, ",")
			}
		}
	}
	return ""
}
