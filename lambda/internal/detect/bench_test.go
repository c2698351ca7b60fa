package detect

import (
	"fmt"
	"testing"

	"github.com/ctap-platform/ctap/lambda/internal/cloudtrail"
)

// benignMix is everyday traffic: data events, reads, role assumption,
// deployments, a stray denial. Most events match no rule, which is the case
// the engine must make cheap.
var benignMix = []string{
	`{"userIdentity":` + app + `,"eventSource":"s3.amazonaws.com","eventName":"GetObject","eventCategory":"Data","managementEvent":false,"readOnly":true,"requestParameters":{"bucketName":"assets","key":"img/logo.png","Host":"assets.s3.amazonaws.com"},"resources":[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::assets/img/logo.png"},{"accountId":"111122223333","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::assets"}]}`,
	`{"userIdentity":` + app + `,"eventSource":"s3.amazonaws.com","eventName":"PutObject","eventCategory":"Data","managementEvent":false,"requestParameters":{"bucketName":"uploads","key":"2026/01/15/a.json","x-amz-server-side-encryption":"aws:kms"},"additionalEventData":{"SignatureVersion":"SigV4","bytesTransferredIn":5120}}`,
	`{"userIdentity":{"type":"AWSService","invokedBy":"cloudtrail.amazonaws.com"},"sourceIPAddress":"cloudtrail.amazonaws.com","userAgent":"cloudtrail.amazonaws.com","eventSource":"kms.amazonaws.com","eventName":"GenerateDataKey","readOnly":true,"requestParameters":{"keySpec":"AES_256","encryptionContext":{"aws:cloudtrail:arn":"arn:aws:cloudtrail:us-east-1:111122223333:trail/org"}}}`,
	`{"userIdentity":` + app + `,"eventSource":"kms.amazonaws.com","eventName":"Decrypt","readOnly":true,"requestParameters":{"encryptionAlgorithm":"SYMMETRIC_DEFAULT"}}`,
	`{"userIdentity":{"type":"AWSService","invokedBy":"ec2.amazonaws.com"},"sourceIPAddress":"ec2.amazonaws.com","eventSource":"sts.amazonaws.com","eventName":"AssumeRole","readOnly":true,"requestParameters":{"roleArn":"arn:aws:iam::111122223333:role/app-server","roleSessionName":"i-0abc"}}`,
	`{"userIdentity":` + admin + `,"eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","readOnly":true,"requestParameters":{"instancesSet":{},"filterSet":{}},"responseElements":null}`,
	`{"userIdentity":` + admin + `,"eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","eventType":"AwsConsoleSignIn","responseElements":{"ConsoleLogin":"Success"},"additionalEventData":{"MobileVersion":"No","MFAUsed":"Yes"}}`,
	`{"userIdentity":` + app + `,"eventSource":"secretsmanager.amazonaws.com","eventName":"GetSecretValue","readOnly":true,"requestParameters":{"secretId":"prod/db"}}`,
	`{"userIdentity":` + app + `,"eventSource":"ssm.amazonaws.com","eventName":"GetParameter","readOnly":true,"requestParameters":{"name":"/prod/flags"}}`,
	`{"eventSource":"iam.amazonaws.com","eventName":"ListRoles","readOnly":true,"requestParameters":{"maxItems":100}}`,
	`{"userIdentity":` + app + `,"eventSource":"dynamodb.amazonaws.com","eventName":"DescribeTable","readOnly":true,"requestParameters":{"tableName":"orders"}}`,
	`{"userIdentity":` + app + `,"eventSource":"lambda.amazonaws.com","eventName":"Invoke","eventCategory":"Data","managementEvent":false,"requestParameters":{"functionName":"arn:aws:lambda:us-east-1:111122223333:function:resize"}}`,
	`{"userIdentity":` + tfRole + `,"userAgent":` + tfUA + `,"eventSource":"lambda.amazonaws.com","eventName":"UpdateFunctionCode20150331v2","requestParameters":{"functionName":"resize","s3Bucket":"artifacts","s3Key":"resize.zip"}}`,
	`{"userIdentity":` + tfRole + `,"userAgent":` + tfUA + `,"eventSource":"ec2.amazonaws.com","eventName":"AuthorizeSecurityGroupIngress","requestParameters":{"groupId":"sg-1","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":443,"toPort":443,"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]}}]}}}`,
	`{"userIdentity":` + app + `,"eventSource":"sqs.amazonaws.com","eventName":"DeleteMessage","requestParameters":{"queueUrl":"https://sqs.us-east-1.amazonaws.com/111122223333/jobs"}}`,
	`{"userIdentity":` + app + `,"eventSource":"s3.amazonaws.com","eventName":"ListObjectsV2","eventCategory":"Data","managementEvent":false,"readOnly":true,"errorCode":"AccessDenied","errorMessage":"Access Denied","requestParameters":{"bucketName":"finance","list-type":"2"}}`,
}

func parsedMix(b *testing.B, recs []string) ([]*cloudtrail.Event, int64) {
	b.Helper()
	evs := make([]*cloudtrail.Event, 0, len(recs))
	var n int64
	for i, r := range recs {
		e, err := cloudtrail.ParseRecord([]byte(ev(r)))
		if err != nil {
			b.Fatalf("record %d: %v", i, err)
		}
		e.EventID = fmt.Sprintf("bench-%d", i)
		evs = append(evs, e)
		n += int64(len(e.Raw))
	}
	return evs, n
}

// BenchmarkSessionProcess measures detection alone (records already
// parsed) over benign traffic, in bytes of CloudTrail JSON per second.
func BenchmarkSessionProcess(b *testing.B) {
	evs, size := parsedMix(b, benignMix)
	s := NewEngine(Catalogue(), Options{}).NewSession()
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, e := range evs {
			s.Process(e)
		}
	}
}

// BenchmarkSessionProcessParallel is the ctap replay shape: one session
// shared by parallel readers.
func BenchmarkSessionProcessParallel(b *testing.B) {
	evs, size := parsedMix(b, benignMix)
	s := NewEngine(Catalogue(), Options{}).NewSession()
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			for _, e := range evs {
				s.Process(e)
			}
		}
	})
}

// BenchmarkSessionProcessAttacks runs every rule's positive example: the
// worst case, where every event produces findings.
func BenchmarkSessionProcessAttacks(b *testing.B) {
	var recs []string
	for _, r := range Catalogue() {
		recs = append(recs, r.Examples.Positive)
	}
	evs, size := parsedMix(b, recs)
	s := NewEngine(Catalogue(), Options{}).NewSession()
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, e := range evs {
			s.Process(e)
		}
	}
}
