/// The second part of the driver (see `PythonDriver`): botocore answered offline, the
/// product's builder called, the definition and what the compile read written out.
extension PythonDriver {
    static let answersAndBuild = #"""
        try:
            import botocore.client
            import botocore.exceptions
        except Exception as error:
            fail(4, "cannot import botocore (%s)" % error)

        uploads = []
        parts = {}

        def _store(bucket, key, data):
            if not bucket or ".." in key.split("/") or key.startswith("/"):
                raise botocore.exceptions.ClientError(
                    {"Error": {"Code": "InvalidArgument", "Message": "pipeops compile refuses the S3 key s3://%s/%s" % (bucket, key)}},
                    "PutObject")
            path = os.path.join(s3_root, bucket, key)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            temporary = "%s.pipeops-%s.tmp" % (path, os.getpid())
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

        def _refuse(code, operation, message):
            return botocore.exceptions.ClientError({"Error": {"Code": code, "Message": message}}, operation)

        def _empty(model, operation):
            """An answer of the operation's output shape with every list empty (what a List* of a
            new account returns)."""
            try:
                shape = model.operation_model(operation).output_shape
            except Exception:
                return {}
            result = {}
            for name, member in (shape.members.items() if shape is not None else []):
                if member.type_name == "list":
                    result[name] = []
                elif member.type_name == "map":
                    result[name] = {}
            return result

        def _offline(self, operation, params):
            service = self.meta.service_model.service_name
            named = "%s.%s" % (service, operation)
            if named in answers:
                answer = answers[named]
                if isinstance(answer, dict) and "Error" in answer:
                    raise botocore.exceptions.ClientError(answer, operation)
                return answer
            if service == "s3":
                if operation == "PutObject":
                    data = _read(params.get("Body"))
                    _store(params["Bucket"], params["Key"], data)
                    return {"ETag": '"%s"' % hashlib.md5(data).hexdigest()}
                if operation == "CreateMultipartUpload":
                    upload = "upload-%d" % len(parts)
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
                        raise _refuse("404", operation, "Not Found")
                    if operation == "HeadObject":
                        return {"ContentLength": os.path.getsize(path)}
                    with open(path, "rb") as handle:
                        return {"Body": io.BytesIO(handle.read())}
                if operation in ("ListObjectsV2", "ListObjects"):
                    return {"Contents": [], "KeyCount": 0, "IsTruncated": False}
                if operation == "ListBuckets":
                    return {"Buckets": [], "Owner": {"ID": account}}
            if named == "sts.GetCallerIdentity":
                # An assumed role, as in CI and notebooks, so get_execution_role() finds the role.
                return {"Account": account, "Arn": "arn:aws:sts::%s:assumed-role/%s/pipeops-compile" % (account, role_name),
                        "UserId": "AROAPIPEOPSCOMPILE:pipeops-compile"}
            if named == "iam.GetRole":
                name = params.get("RoleName", role_name)
                return {"Role": {"RoleName": name, "Arn": "arn:aws:iam::%s:role/%s" % (account, name), "Path": "/",
                                 "RoleId": "AROAPIPEOPSCOMPILE", "CreateDate": _datetime.datetime.fromtimestamp(_epoch),
                                 "AssumeRolePolicyDocument": {}}}
            if named in ("sagemaker.CreatePipeline", "sagemaker.UpdatePipeline"):
                # A script that upserts its own pipeline while it builds: nothing is deployed here.
                return {"PipelineArn": "arn:aws:sagemaker:%s:%s:pipeline/%s" % (region, account, params.get("PipelineName", "").lower())}
            if named == "iam.SimulatePrincipalPolicy":
                return {"EvaluationResults": [{"EvalActionName": action, "EvalDecision": "allowed"}
                                              for action in params.get("ActionNames", [])], "IsTruncated": False}
            if service == "lambda" and operation in ("CreateFunction", "UpdateFunctionCode", "UpdateFunctionConfiguration", "GetFunction",
                                                     "GetFunctionConfiguration", "PublishVersion"):
                name = params.get("FunctionName", "")
                arn = name if name.startswith("arn:") else "arn:aws:lambda:%s:%s:function:%s" % (region, account, name)
                code = params.get("Code", {}).get("ZipFile") if operation == "CreateFunction" else params.get("ZipFile")
                if code is not None:
                    # The function's code, captured like any upload (pipeops publishes nothing of it).
                    _store("pipeops-lambda", "%s.zip" % arn.rsplit(":", 1)[-1], _read(code))
                if operation in ("GetFunction", "GetFunctionConfiguration") and not any(u.endswith("/%s.zip" % name) for u in uploads):
                    raise _refuse("ResourceNotFoundException", operation, "Function not found: %s" % arn)
                configuration = {"FunctionName": arn.rsplit(":", 1)[-1], "FunctionArn": arn, "State": "Active",
                                 "LastUpdateStatus": "Successful", "Version": "$LATEST"}
                return {"Configuration": configuration} if operation == "GetFunction" else configuration
            model = self.meta.service_model
            if operation.startswith("List"):
                return _empty(model, operation)
            code = "ResourceNotFound" if operation.startswith(("Describe", "Get")) else "AccessDeniedException"
            raise _refuse(code, operation,
                          "pipeops compile runs offline and does not answer %s; give its answer under pipeline.offline.\"%s\" "
                          "in pipeops.yaml (the response as YAML), or pass what it looks up to get_pipeline through "
                          "pipeline.kwargs" % (named, named))

        botocore.client.BaseClient._make_api_call = _offline

        try:
            import sagemaker  # noqa: F401  (v2 and v3 both provide the top-level package)
        except Exception as error:
            fail(4, "cannot import the SageMaker Python SDK (%s: %s)" % (type(error).__name__, error))

        # No telemetry leaves the compile. The SDK's own opt-out is a config file, and a non-empty
        # config makes the SDK validate it against its JSON schema on every lookup (seconds per
        # compile), so the config pipeops passes is empty and the request is switched off here.
        for _telemetry in ("sagemaker.telemetry.telemetry_logging", "sagemaker.core.telemetry.telemetry_logging"):
            try:
                importlib.import_module(_telemetry)._send_telemetry_request = lambda *args, **kwargs: None
            except Exception:
                pass

        with open(settings["kwargs"]) as handle:
            kwargs = json.load(handle)
        # Imports rooted at the repository (from pipelines.abalone.x import …) resolve; variables
        # a builder reads (SMP_*, …) are set; the working directory is the product's root.
        for folder in reversed(settings["sysPath"]):
            sys.path.insert(0, folder)
        for name, value in (settings.get("variables") or {}).items():
            os.environ[name] = value
        attribute = settings["attribute"]
        shown = settings["module"] or os.path.relpath(source, product)
        _clock["on"] = True
        try:
            try:
                if settings["module"]:
                    module = importlib.import_module(settings["module"])
                else:
                    sys.path.insert(0, os.path.dirname(os.path.abspath(source)))
                    spec = importlib.util.spec_from_file_location("pipeops_definition", source)
                    module = importlib.util.module_from_spec(spec)
                    sys.modules["pipeops_definition"] = module
                    spec.loader.exec_module(module)
            except SystemExit:
                raise
            except BaseException:
                traceback.print_exc()
                raise SystemExit(7)
            head, _, method = attribute.partition(".")
            if not hasattr(module, head):
                fail(5, "%s defines no %s%s" % (shown, head, "(**kwargs)" if attribute == "get_pipeline" else ""))
            try:
                target = getattr(module, head)
                if method:
                    # A builder class: constructed with the kwargs, its method builds the pipeline.
                    instance = target(**kwargs) if isinstance(target, type) else target
                    pipeline = getattr(instance, method)()
                elif callable(target) and not hasattr(target, "definition"):
                    pipeline = target(**kwargs)
                else:
                    pipeline = target  # a script that builds its pipeline at module level
                if not hasattr(pipeline, "definition"):
                    fail(6, "%s gave %s, not an SDK Pipeline (it has no definition())" % (attribute, type(pipeline).__name__))
                definition = pipeline.definition()
                _clock["on"] = False
                # The clock's day, however the SDK writes it (2026-12-01-…, 20261201…), or its
                # seconds, in the definition or an uploaded key: the definition depends on it.
                _day = _gmtime(_epoch)
                _renderings = [_strftime("%Y-%m-%d", _day), _strftime("%Y%m%d", _day), str(int(_epoch))]
                if any(r in definition or any(r in u for u in uploads) for r in _renderings):
                    _clock["read"] = True
            except SystemExit:
                raise
            except BaseException:
                traceback.print_exc()
                raise SystemExit(3)
        finally:
            _restore()

        # The checkout's path is no part of the pipeline: every clone shows the same.
        for shown in {product, os.path.abspath(settings["product"])}:
            definition = definition.replace(shown, settings["placeholder"])
        with open(settings["out"], "w") as handle:
            json.dump(json.loads(definition), handle, indent=2, sort_keys=False)
            handle.write("\n")
        try:
            from importlib.metadata import version as _version
            sdk_version = _version("sagemaker")
        except Exception:
            sdk_version = getattr(sagemaker, "__version__", "unknown")
        try:
            import botocore
            botocore_version = botocore.__version__
        except Exception:
            botocore_version = None
        relative = lambda paths: sorted(os.path.relpath(p, product) for p in paths)
        with open(settings["info"], "w") as handle:
            json.dump({"uploads": sorted(set(uploads)), "sdk": sdk_version, "botocore": botocore_version,
                       "python": sys.version.split()[0], "reads": relative(reads), "lists": relative(lists),
                       "written": relative(p for p, o in originals.items() if o is None), "clockRead": _clock["read"]}, handle)
        """#
}
