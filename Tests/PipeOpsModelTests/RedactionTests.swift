import Foundation
import PipeOpsTestSupport
import Testing

@testable import PipeOpsModel

/// Text from a service passes one redactor before it is printed or recorded.
@Suite struct RedactionTests {
    static let token =
        "IQoJb3JpZ2luX2VjEDgaCXVzLWVhc3QtMSJGMEQCIFakeSessionTokenValueThatIsLongEnoughToLookRealAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="
    static let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

    /// SageMaker's InvalidSignatureException (JSON 1.1) carries the canonical request.
    @Test func aSageMakerSignatureMismatchLosesItsTokenAndSignature() {
        let message = """
            The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.

            The Canonical String for this request should have been
            'POST
            /

            content-type:application/x-amz-json-1.1
            host:api.sagemaker.us-east-1.amazonaws.com
            x-amz-date:20261201T101010Z
            x-amz-security-token:\(Self.token)
            x-amz-target:SageMaker.StartPipelineExecution

            content-type;host;x-amz-date;x-amz-security-token;x-amz-target
            5f2a…'

            The String-to-Sign should have been
            'AWS4-HMAC-SHA256
            20261201T101010Z
            20261201/us-east-1/sagemaker/aws4_request
            9d0c…'
            """
        let redacted = Redaction.redact(message)
        #expect(!redacted.contains(Self.token))
        #expect(redacted.contains("x-amz-security-token:[redacted]"))
        #expect(redacted.contains("x-amz-target:SageMaker.StartPipelineExecution"), "the rest stays readable")
    }

    /// S3's SignatureDoesNotMatch (XML) and a pre-signed URL in a message.
    @Test func s3ErrorsAndPresignedURLsLoseTheirCredentials() {
        let xml = """
            <Error><Code>SignatureDoesNotMatch</Code><AWSAccessKeyId>ASIAIOSFODNN7EXAMPLE</AWSAccessKeyId><CanonicalRequest>PUT
            /b/k
            X-Amz-Algorithm=AWS4-HMAC-SHA256&amp;X-Amz-Credential=ASIAIOSFODNN7EXAMPLE%2F20261201%2Fus-east-1%2Fs3%2Faws4_request&amp;X-Amz-Security-Token=\(Self.token)&amp;X-Amz-Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
            </CanonicalRequest></Error>
            """
        let redacted = Redaction.redact(xml)
        #expect(!redacted.contains(Self.token))
        #expect(!redacted.contains("ASIAIOSFODNN7EXAMPLE"))
        #expect(!redacted.contains("0123456789abcdef0123456789abcdef"))
        #expect(redacted.contains("SignatureDoesNotMatch"))
    }

    @Test func namedSecretsAuthorizationAndBearerTokensAreRedacted() {
        let text = """
            aws_secret_access_key = \(Self.secret)
            "SessionToken": "\(Self.token)"
            Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261201/us-east-1/sagemaker/aws4_request, SignedHeaders=host, Signature=abcdefabcdefabcdefabcdef
            authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjaSJ9.c2lnbmF0dXJl
            """
        let redacted = Redaction.redact(text)
        for secret in [Self.secret, Self.token, "AKIAIOSFODNN7EXAMPLE", "abcdefabcdefabcdefabcdef", "eyJhbGciOiJSUzI1NiJ9"] {
            #expect(!redacted.contains(secret), "\(secret) survived: \(redacted)")
        }
    }

    @Test func ordinaryMessagesAreUntouched() {
        let text = "step 'Train' depends on unknown step 'Prep' (known: Preprocess, Evaluate) in s3://bucket/code/train.py"
        #expect(Redaction.redact(text) == text)
    }

    /// The secrets rule's pre-check lets nothing through that the scanner would find.
    @Test func theSecretPrecheckPassesWhatTheScannerFindsAndSkipsTheRest() {
        #expect(SecretScanner.mayHold("key AKIAQ3VNP2ZR7TX4LWHD here", key: nil))
        #expect(SecretScanner.mayHold(String(repeating: "x3Kp", count: 10), key: "AWS_SECRET_ACCESS_KEY"))
        #expect(SecretScanner.mayHold("aws_session_token=" + String(repeating: "b3Jp", count: 30), key: "Environment"))
        #expect(!SecretScanner.mayHold("arn:aws:iam::111111111111:role/pipeline", key: "RoleArn"))
        #expect(!SecretScanner.mayHold("s3://bucket/code/preprocess.py", key: "S3Uri"))
        #expect(!SecretScanner.mayHold(String(repeating: "x3Kp", count: 10), key: "ImageUri"))
    }
}
