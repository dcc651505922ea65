import Foundation
import PipeOpsModel

extension LocalS3Endpoint {
    /// One S3 call, answered from the store as S3 would (its status codes and XML errors).
    func respond(_ request: Request) -> Response {
        let signed =
            request.headers["authorization"]?.contains("Credential=\(accessKey)/") == true
            || request.query["X-Amz-Credential"]?.hasPrefix(accessKey + "/") == true
        guard signed else {
            return Self.error(403, "AccessDenied", "only the steps of this local execution may use its S3 endpoint")
        }
        let trimmed = request.path.drop { $0 == "/" }
        let parts = trimmed.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard let bucket = parts.first, !bucket.isEmpty else {
            return Self.error(400, "InvalidRequest", "a path-style request names its bucket first (/bucket/key)")
        }
        let key = parts.count > 1 ? parts[1] : ""
        if key.isEmpty {
            switch request.method {
            case "GET" where request.query["location"] != nil:
                return Self.xml("<LocationConstraint xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"/>")
            case "GET": return list(bucket: bucket, request.query)
            case "HEAD": return Response(status: 200)
            default: return Self.error(501, "NotImplemented", "\(request.method) on a bucket is not served locally")
            }
        }
        let uri = "s3://\(bucket)/\(key)"
        switch request.method {
        case "GET", "HEAD":
            guard let data = try? store.read(uri) else { return Self.error(404, "NoSuchKey", "The specified key does not exist.") }
            return object(data, range: request.headers["range"])
        case "PUT":
            if let upload = request.query["uploadId"], let number = request.query["partNumber"].flatMap({ Int($0) }) {
                return uploadPart(upload, number: number, request.body)
            }
            var body = request.body
            if let source = request.headers["x-amz-copy-source"] {
                let name = (source.removingPercentEncoding ?? source).drop { $0 == "/" }
                guard let data = try? store.read("s3://" + name) else {
                    return Self.error(404, "NoSuchKey", "The specified key does not exist.")
                }
                body = data
            }
            do { try store.put(body, at: uri) } catch {
                return Self.error(403, "AccessDenied", error.errorDescription ?? "cannot write \(uri)")
            }
            let etag = "\"\(String(DefinitionHashes.sha256(body).prefix(32)))\""
            if request.headers["x-amz-copy-source"] != nil {
                return Self.xml("<CopyObjectResult><ETag>\(XMLText.escape(etag))</ETag></CopyObjectResult>")
            }
            return Response(status: 200, headers: [("ETag", etag)])
        case "DELETE" where request.query["uploadId"] != nil:
            if let folder = partsFolder(request.query["uploadId"]!) { try? FileManager.default.removeItem(atPath: folder) }
            return Response(status: 204)
        case "DELETE":
            guard case .store(let path)? = try? store.locate(uri) else {
                return Self.error(403, "AccessDenied", "\(uri) is served read-only from the repository (local.s3)")
            }
            unlink(path)
            return Response(status: 204)
        case "POST" where request.query["uploads"] != nil:
            // CreateMultipartUpload: the parts gather beside the store until Complete.
            guard case .store? = try? store.locate(uri) else {
                return Self.error(403, "AccessDenied", "\(uri) is served read-only from the repository (local.s3)")
            }
            let id = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
            do { try FileManager.default.createDirectory(atPath: partsFolder(id)!, withIntermediateDirectories: true) } catch {
                return Self.error(500, "InternalError", "cannot keep the upload's parts: \(error.localizedDescription)")
            }
            return Self.xml(
                "<InitiateMultipartUploadResult><Bucket>\(XMLText.escape(bucket))</Bucket><Key>\(XMLText.escape(key))</Key><UploadId>\(id)</UploadId></InitiateMultipartUploadResult>"
            )
        case "POST" where request.query["uploadId"] != nil:
            return completeUpload(request.query["uploadId"]!, uri: uri, bucket: bucket, key: key, request.body)
        case "POST":
            return Self.error(
                501, "NotImplemented", "\(request.method) \(request.query.keys.sorted().joined(separator: ",")) is not served locally")
        default:
            return Self.error(405, "MethodNotAllowed", "\(request.method) is not an S3 object call")
        }
    }

    /// Where an upload's parts wait (nil for an id that is no upload id of this endpoint).
    func partsFolder(_ id: String) -> String? {
        guard !id.isEmpty, id.allSatisfy({ $0.isHexDigit }) else { return nil }
        return store.root + "/.pipeops-uploads/" + id
    }

    func uploadPart(_ id: String, number: Int, _ body: Data) -> Response {
        guard let folder = partsFolder(id), FileManager.default.fileExists(atPath: folder), (1...10_000).contains(number) else {
            return Self.error(404, "NoSuchUpload", "The specified upload does not exist.")
        }
        do { try AtomicFile.write(body, to: folder + "/\(number)") } catch {
            return Self.error(500, "InternalError", error.errorDescription ?? "cannot keep part \(number)")
        }
        return Response(status: 200, headers: [("ETag", "\"\(String(DefinitionHashes.sha256(body).prefix(32)))\"")])
    }

    /// CompleteMultipartUpload: the parts the request lists, in its order, become the object.
    func completeUpload(_ id: String, uri: String, bucket: String, key: String, _ body: Data) -> Response {
        guard let folder = partsFolder(id), FileManager.default.fileExists(atPath: folder) else {
            return Self.error(404, "NoSuchUpload", "The specified upload does not exist.")
        }
        let listing = String(decoding: body, as: UTF8.self)
        var numbers: [Int] = []
        var rest = listing[...]
        while let open = rest.range(of: "<PartNumber>"), let close = rest.range(of: "</PartNumber>", range: open.upperBound..<rest.endIndex)
        {
            if let number = Int(rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)) { numbers.append(number) }
            rest = rest[close.upperBound...]
        }
        var data = Data()
        for number in numbers {
            guard let part = FileManager.default.contents(atPath: folder + "/\(number)") else {
                return Self.error(400, "InvalidPart", "part \(number) was not uploaded")
            }
            data.append(part)
        }
        guard !numbers.isEmpty else { return Self.error(400, "MalformedXML", "the request lists no parts") }
        do { try store.put(data, at: uri) } catch {
            return Self.error(403, "AccessDenied", error.errorDescription ?? "cannot write \(uri)")
        }
        try? FileManager.default.removeItem(atPath: folder)
        let etag = "\"\(String(DefinitionHashes.sha256(data).prefix(32)))-\(numbers.count)\""
        return Self.xml(
            "<CompleteMultipartUploadResult><Bucket>\(XMLText.escape(bucket))</Bucket><Key>\(XMLText.escape(key))</Key><ETag>\(XMLText.escape(etag))</ETag></CompleteMultipartUploadResult>"
        )
    }

    func object(_ data: Data, range: String?) -> Response {
        let etag = "\"\(String(DefinitionHashes.sha256(data).prefix(32)))\""
        var headers = [("ETag", etag), ("Content-Type", "binary/octet-stream"), ("Accept-Ranges", "bytes")]
        if let range, range.hasPrefix("bytes="), !data.isEmpty {
            let bounds = range.dropFirst("bytes=".count).split(separator: "-", omittingEmptySubsequences: false)
            let first = Int(bounds.first ?? "") ?? 0
            let last = min(Int(bounds.count > 1 ? bounds[1] : "") ?? data.count - 1, data.count - 1)
            guard first <= last else { return Self.error(416, "InvalidRange", "The requested range is not satisfiable") }
            headers.append(("Content-Range", "bytes \(first)-\(last)/\(data.count)"))
            return Response(status: 206, headers: headers, body: data.subdata(in: first..<(last + 1)))
        }
        return Response(status: 200, headers: headers, body: data)
    }

    /// ListObjectsV2 (and V1's prefix/marker form): the store's objects and the mounted folders'.
    func list(bucket: String, _ query: [String: String]) -> Response {
        let prefix = query["prefix"] ?? ""
        let delimiter = query["delimiter"].flatMap { $0.isEmpty ? nil : $0 }
        let after = query["continuation-token"] ?? query["start-after"] ?? query["marker"] ?? ""
        let limit = max(1, min(Int(query["max-keys"] ?? "") ?? 1000, 1000))
        var keys = Set<String>()
        Self.walk(store.root + "/" + bucket, into: &keys, base: "")
        for mount in store.mounts where mount.prefix.hasPrefix("s3://\(bucket)/") {
            let head = String(mount.prefix.dropFirst("s3://\(bucket)/".count))
            Self.walk(mount.directory, into: &keys, base: head.isEmpty || head.hasSuffix("/") ? head : head + "/")
        }
        var contents: [String] = []
        var common: [String] = []
        var truncated = false
        var last = ""
        for key in keys.sorted() where key.hasPrefix(prefix) && key > after {
            if contents.count + common.count == limit {
                truncated = true
                break
            }
            if let delimiter, let cut = key.dropFirst(prefix.count).range(of: delimiter) {
                let group = String(key[..<cut.upperBound])
                if common.last != group { common.append(group) }
                last = group
                continue
            }
            guard let data = try? store.read("s3://\(bucket)/\(key)") else { continue }
            contents.append(
                "<Contents><Key>\(XMLText.escape(key))</Key><Size>\(data.count)</Size><StorageClass>STANDARD</StorageClass></Contents>")
            last = key
        }
        var body = "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>\(XMLText.escape(bucket))</Name>"
        body += "<Prefix>\(XMLText.escape(prefix))</Prefix><KeyCount>\(contents.count + common.count)</KeyCount><MaxKeys>\(limit)</MaxKeys>"
        body += "<IsTruncated>\(truncated)</IsTruncated>"
        if truncated {
            body += "<NextContinuationToken>\(XMLText.escape(last))</NextContinuationToken><NextMarker>\(XMLText.escape(last))</NextMarker>"
        }
        body += contents.joined() + common.map { "<CommonPrefixes><Prefix>\(XMLText.escape($0))</Prefix></CommonPrefixes>" }.joined()
        return Self.xml(body + "</ListBucketResult>")
    }

    static func walk(_ directory: String, into keys: inout Set<String>, base: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where !name.hasPrefix(".pipeops-") {
            let path = directory + "/" + name
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), keys.count < 100_000 else { continue }
            if isDirectory.boolValue { walk(path, into: &keys, base: base + name + "/") } else { keys.insert(base + name) }
        }
    }

    static func xml(_ body: String) -> Response {
        Response(
            status: 200, headers: [("Content-Type", "application/xml")],
            body: Data(("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + body).utf8))
    }

    static func error(_ status: Int, _ code: String, _ message: String) -> Response {
        var response = xml("<Error><Code>\(code)</Code><Message>\(XMLText.escape(message))</Message></Error>")
        response.status = status
        return response
    }
}
