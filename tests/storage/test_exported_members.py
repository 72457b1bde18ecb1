"""The public API is exactly ``storage.__all__``, and every name in it exists."""

import storage


def test_all_exported_members_exist() -> None:
    for name in storage.__all__:
        assert hasattr(storage, name), name


def test_public_names_are_exported() -> None:
    public = {
        name for name, value in vars(storage).items()
        if not name.startswith("_")
        and getattr(value, "__module__", "storage").startswith("storage")
        and name not in {"annotations", "os", "Path"}
    }
    modules = {"base", "local", "s3", "layout", "schema", "staging", "publish", "read", "versions",
               "counts", "table", "ddl"}
    assert public - modules <= set(storage.__all__)
    for required in ("open_store", "ObjectStore", "read_articles", "list_partitions",
                     "publish_run", "upload_staging", "validate_record", "errors",
                     "default_storage_url"):
        assert required in storage.__all__
