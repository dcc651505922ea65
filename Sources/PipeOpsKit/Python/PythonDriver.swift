/// The Python program `pipeops compile` runs: it imports the product's definition.py, calls
/// `get_pipeline(**kwargs)` and writes `pipeline.definition()` to a file (never stdout, where the
/// SDK prints its log lines). Offline and hermetic: every AWS call the SDK makes goes through
/// botocore's `BaseClient._make_api_call`, which is answered in-process — S3 uploads (`code=`
/// scripts, `source_dir` archives, requirements) are captured into the product's local S3 at the
/// exact URIs the definition names, STS answers with the configured account, bucket checks
/// succeed — and any other call fails with a message naming it. Archives are made deterministic
/// (tar member times and owners, the gzip header time set to 0), so the SDK's content-hashed code
/// URIs are the same on every machine and every run.
///
/// Exit codes: 0 written; 3 `get_pipeline` (or the import of the file) raised: the traceback is
/// on stderr; 4 the SageMaker SDK cannot be imported; 5 the file has no `get_pipeline`; 6 the
/// result has no `definition()`.
enum PythonDriver {
    /// Changing the driver changes every compile cache key.
    static let version = "2"

    static let source = #"""
        import gzip, hashlib, importlib.util, io, json, os, sys, tarfile, traceback, uuid

        source, kwargs_path, out_path, uploads_path, s3_root, region, account = sys.argv[1:8]


        def fail(code, message):
            """Ends the compile with `code` (see PythonDriver) and one line for pipeops to show."""
            sys.stderr.write("pipeops: %s\n" % message)
            raise SystemExit(code)

        # Deterministic archives: no member times or owners, no gzip header time.
        _gzip_init = gzip.GzipFile.__init__
        def _gzip_init_fixed(self, filename=None, mode=None, compresslevel=9, fileobj=None, mtime=None):
            _gzip_init(self, filename, mode, compresslevel, fileobj, 0 if mtime is None else mtime)
        gzip.GzipFile.__init__ = _gzip_init_fixed
        _gettarinfo = tarfile.TarFile.gettarinfo
        def _gettarinfo_fixed(self, *args, **kwargs):
            info = _gettarinfo(self, *args, **kwargs)
            if info is not None:
                info.mtime = 0
                info.uid = info.gid = 0
                info.uname = info.gname = ""
            return info
        tarfile.TarFile.gettarinfo = _gettarinfo_fixed

        try:
            import botocore.client
            import botocore.exceptions
        except Exception as error:
            fail(4, "cannot import botocore (%s)" % error)

        uploads = []
        parts = {}

        def _store(bucket, key, data):
            if not bucket or ".." in key.split("/") or key.startswith("/"):
                raise RuntimeError("pipeops compile refuses the S3 key s3://%s/%s" % (bucket, key))
            path = os.path.join(s3_root, bucket, key)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            temporary = "%s.pipeops-%s.tmp" % (path, uuid.uuid4().hex[:8])
            with open(temporary, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, path)
            uploads.append("s3://%s/%s" % (bucket, key))

        def _read(body):
            if body is None:
                return b""
            if hasattr(body, "read"):
                return body.read()
            if isinstance(body, str):
                return body.encode("utf-8")
            return bytes(body)

        def _not_found(operation):
            return botocore.exceptions.ClientError({"Error": {"Code": "404", "Message": "Not Found"}}, operation)

        def _offline(self, operation, params):
            service = self.meta.service_model.service_name
            if service == "s3":
                if operation == "PutObject":
                    data = _read(params.get("Body"))
                    _store(params["Bucket"], params["Key"], data)
                    return {"ETag": '"%s"' % hashlib.md5(data).hexdigest()}
                if operation == "CreateMultipartUpload":
                    upload = uuid.uuid4().hex
                    parts[upload] = (params["Bucket"], params["Key"], {})
                    return {"Bucket": params["Bucket"], "Key": params["Key"], "UploadId": upload}
                if operation == "UploadPart":
                    data = _read(params.get("Body"))
                    parts[params["UploadId"]][2][params["PartNumber"]] = data
                    return {"ETag": '"%s"' % hashlib.md5(data).hexdigest()}
                if operation == "CompleteMultipartUpload":
                    bucket, key, pieces = parts.pop(params["UploadId"])
                    _store(bucket, key, b"".join(pieces[number] for number in sorted(pieces)))
                    return {"Bucket": bucket, "Key": key}
                if operation == "AbortMultipartUpload":
                    parts.pop(params.get("UploadId"), None)
                    return {}
                if operation in ("HeadBucket", "CreateBucket", "PutBucketPolicy", "PutPublicAccessBlock", "PutBucketEncryption"):
                    return {}
                if operation == "GetBucketLocation":
                    return {"LocationConstraint": region}
                if operation in ("HeadObject", "GetObject"):
                    path = os.path.join(s3_root, params["Bucket"], params["Key"])
                    if not os.path.isfile(path):
                        raise _not_found(operation)
                    if operation == "HeadObject":
                        return {"ContentLength": os.path.getsize(path)}
                    with open(path, "rb") as handle:
                        return {"Body": io.BytesIO(handle.read())}
                if operation in ("ListObjectsV2", "ListObjects"):
                    return {"Contents": [], "KeyCount": 0, "IsTruncated": False}
                if operation == "ListBuckets":
                    return {"Buckets": [], "Owner": {"ID": account}}
            if service == "sts" and operation == "GetCallerIdentity":
                return {"Account": account, "Arn": "arn:aws:iam::%s:user/pipeops-compile" % account, "UserId": "PIPEOPSCOMPILE"}
            raise RuntimeError(
                "pipeops compile runs offline and does not answer %s.%s; pass what the SDK looks up "
                "(role, image URIs, bucket) to get_pipeline through pipeline.kwargs in pipeops.yaml" % (service, operation))

        botocore.client.BaseClient._make_api_call = _offline

        try:
            import sagemaker  # noqa: F401  (v2 and v3 both provide the top-level package)
        except Exception as error:
            fail(4, "cannot import the SageMaker Python SDK (%s: %s)" % (type(error).__name__, error))

        with open(kwargs_path) as handle:
            kwargs = json.load(handle)
        directory = os.path.dirname(os.path.abspath(source))
        sys.path.insert(0, directory)
        try:
            spec = importlib.util.spec_from_file_location("pipeops_definition", source)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            if not hasattr(module, "get_pipeline"):
                fail(5, "%s defines no get_pipeline(**kwargs)" % source)
            pipeline = module.get_pipeline(**kwargs)
            if not hasattr(pipeline, "definition"):
                fail(6, "get_pipeline returned %s, not an SDK Pipeline (it has no definition())" % type(pipeline).__name__)
            definition = pipeline.definition()
        except SystemExit:
            raise
        except BaseException:
            traceback.print_exc()
            raise SystemExit(3)

        with open(out_path, "w") as handle:
            json.dump(json.loads(definition), handle, indent=2, sort_keys=False)
            handle.write("\n")
        try:
            from importlib.metadata import version as _version
            sdk_version = _version("sagemaker")
        except Exception:
            sdk_version = getattr(sagemaker, "__version__", "unknown")
        with open(uploads_path, "w") as handle:
            try:
                import botocore
                botocore_version = botocore.__version__
            except Exception:
                botocore_version = None
            json.dump({"uploads": sorted(set(uploads)), "sdk": sdk_version, "botocore": botocore_version,
                       "python": sys.version.split()[0]}, handle)
        """#
}
