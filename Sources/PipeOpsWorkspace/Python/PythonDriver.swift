import PipeOpsAnalysis
import PipeOpsModel

/// The Python program `pipeops compile` runs: it imports the product's definition.py, calls
/// `get_pipeline(**kwargs)` and writes `pipeline.definition()` to a file (never stdout, where the
/// SDK prints its log lines). Its one argument is a JSON file of settings (see `PythonDefinition`).
///
/// Offline and hermetic: every AWS call the SDK makes goes through botocore's
/// `BaseClient._make_api_call`, answered in-process — S3 uploads (`code=` scripts, `source_dir`
/// archives, requirements) are captured into the product's local S3 at the exact URIs the
/// definition names; STS answers as an assumed role and IAM GetRole with the manifest's role (so
/// `get_execution_role()` works); Lambda functions the definition deploys are captured; List*
/// calls answer with empty lists; a product's own answers come from `pipeline.offline` in
/// pipeops.yaml; anything else is a botocore ClientError (so the SDK's own fallbacks run) naming
/// the call and how to answer it.
///
/// Reproducible: the clock reads the HEAD commit's time, uuid4 and `random` are seeded, archives
/// carry no times or owners, and the checkout's absolute path is replaced by `/pipeops/product`
/// in the definition. The tree stays clean: a file the SDK writes into the product is saved
/// first and put back afterwards (new files are moved to `.pipeops/compiled/written/`).
/// Every product file and folder the compile reads is recorded: those are the cache key.
///
/// Exit codes: 0 written; 3 `get_pipeline` raised (traceback on stderr); 7 importing the file
/// raised (traceback on stderr); 4 the SageMaker SDK cannot be imported; 5 the file has no
/// `get_pipeline`; 6 the result has no `definition()`.
enum PythonDriver {
    /// Changing the driver changes every compile cache key.
    static let version = "6"

    /// Where the checkout's absolute path is shown in a compiled definition.
    static let productPlaceholder = "/pipeops/product"

    /// The driver, in two parts: set-up, then the offline AWS answers and the build itself.
    static let source = setUp + "\n\n" + answersAndBuild

    static let setUp = #"""
        import datetime as _datetime, gzip, hashlib, importlib.util, io, json, os, random, sys, tarfile, time
        import traceback, uuid

        with open(sys.argv[1]) as _handle:
            settings = json.load(_handle)
        source = settings["source"]
        product = os.path.realpath(settings["product"])
        s3_root = settings["s3Root"]
        region = settings["region"]
        account = settings["account"]
        role_name = settings["role"]
        answers = settings.get("answers") or {}
        written_root = settings["written"]
        internal = (os.path.join(product, ".pipeops"), os.path.join(product, ".git"))


        def fail(code, message):
            """Ends the compile with `code` (see PythonDriver) and one line for pipeops to show."""
            sys.stderr.write("pipeops: %s\n" % message)
            raise SystemExit(code)


        # Each path's real path, once: imports list and open the same site-packages folders
        # thousands of times, and a realpath is a system call per component. A new file in a
        # folder already resolved costs one lstat (is the file itself a link?), not one per
        # component: the import of the SDK opens about 1,200 files in a few hundred folders.
        _real, _real_folders = {}, {}

        def _resolved(name):
            folder, leaf = os.path.split(name)
            if leaf in ("", ".", "..") or not folder:
                return os.path.realpath(name)
            real_folder = _real_folders.get(folder)
            if real_folder is None:
                if len(_real_folders) >= 65536:
                    _real_folders.clear()
                real_folder = _real_folders[folder] = os.path.realpath(folder)
            candidate = os.path.join(real_folder, leaf)
            return os.path.realpath(candidate) if os.path.islink(candidate) else candidate

        def _inside(path):
            try:
                name = os.fsdecode(path)
                if not os.path.isabs(name):
                    name = os.path.join(os.getcwd(), name)
                real = _real.get(name)
                if real is None:
                    if len(_real) >= 65536:
                        _real.clear()
                    real = _real[name] = _resolved(name)
            except Exception:
                return None
            if real != product and not real.startswith(product + os.sep):
                return None
            if any(real == folder or real.startswith(folder + os.sep) for folder in internal):
                return None
            return real


        # What the compile reads of the product (the cache key) and what it writes (put back).
        reads, lists, originals = set(), set(), {}

        def _audit(event, args):
            try:
                if event == "open":
                    path, mode = args[0], args[1]
                    if isinstance(path, int):
                        return
                    real = _inside(path)
                    if real is None:
                        return
                    writing = isinstance(mode, str) and any(flag in mode for flag in "wax+")
                    if isinstance(mode, int) or mode is None:
                        writing = bool(args[2] & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)) if len(args) > 2 and isinstance(args[2], int) else False
                    if writing:
                        if real not in originals:
                            originals[real] = open(real, "rb").read() if os.path.isfile(real) else None
                    elif real not in originals:
                        reads.add(real)
                elif event in ("os.listdir", "os.scandir"):
                    real = _inside(args[0] if args and args[0] is not None else ".")
                    if real is not None:
                        lists.add(real)
                elif event in ("os.rename", "os.replace", "shutil.copyfile", "shutil.move"):
                    real = _inside(args[1])
                    if real is not None and real not in originals:
                        originals[real] = open(real, "rb").read() if os.path.isfile(real) else None
                elif event == "os.remove":
                    real = _inside(args[0])
                    if real is not None and real not in originals and os.path.isfile(real):
                        originals[real] = open(real, "rb").read()
            except Exception:
                pass

        sys.addaudithook(_audit)


        def _restore():
            """Puts every product file the compile changed back; new ones go to written/."""
            for real, original in originals.items():
                try:
                    if original is None:
                        if os.path.isfile(real):
                            target = os.path.join(written_root, os.path.relpath(real, product))
                            os.makedirs(os.path.dirname(target), exist_ok=True)
                            os.replace(real, target)
                    else:
                        current = open(real, "rb").read() if os.path.isfile(real) else None
                        if current != original:
                            with open(real, "wb") as handle:
                                handle.write(original)
                except OSError:
                    pass


        # A fixed clock (the HEAD commit's time), seeded ids: the same definition on every clone.
        # Whether the product's code (its import and its builder) read the clock: when it did
        # not, the definition cannot depend on it and the clock is no part of the compile key.
        _epoch = float(settings["epoch"])
        _clock = {"on": False, "read": False}

        def _now():
            # The product's own code reading the clock can put it anywhere: it is part of the key.
            # The SDK reads it for every build (StepsCompiler's build time) but it reaches the
            # definition only as a timestamp, which the check after the build looks for.
            if _clock["on"] and not _clock["read"]:
                caller = sys._getframe(1)
                while caller is not None and caller.f_code.co_name == "<lambda>":
                    caller = caller.f_back
                where = os.path.realpath(caller.f_code.co_filename) if caller is not None else ""
                if where.startswith(product + os.sep) and os.sep + ".pipeops" + os.sep not in where:
                    _clock["read"] = True
            return _epoch

        time.time = _now
        time.time_ns = lambda: int(_now() * 1_000_000_000)
        _localtime, _gmtime, _strftime = time.localtime, time.gmtime, time.strftime
        time.localtime = lambda seconds=None: _localtime(_now() if seconds is None else seconds)
        time.gmtime = lambda seconds=None: _gmtime(_now() if seconds is None else seconds)
        time.strftime = lambda format, t=None: _strftime(format, _localtime(_now()) if t is None else t)

        # datetime's classes are left alone (C extensions check their size); the SDK's job-name
        # timestamps come from time.time(), and what still differs is what --check-reproducible finds.
        _random = random.Random(0)
        random.seed(0)
        uuid.uuid4 = lambda: uuid.UUID(int=_random.getrandbits(128), version=4)

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
        """#
}
