"""Which storage drivers redirect blob GETs and which are object stores
(`twin/model/registry/settings.py`; vendored distribution `registry/storage/driver/*/`
`URLFor`, CIRO `pkg/storage/*`)."""

from __future__ import annotations

import pytest

from twin.model.registry.settings import RegistrySettings


@pytest.mark.parametrize("driver, redirect, object_store", [
    ("s3", True, True),  # s3-aws URLFor presigns (IBM COS is configured as s3 too)
    ("azure", True, True),  # azure URLFor signs a SAS URL
    ("gcs", True, True),  # gcs URLFor signs with the key file the operator mounts
    ("swift", False, True),  # swift URLFor needs a TempURL key, which the operator never sets
    ("filesystem", False, False),  # emptyDir, PVC
])
def test_which_drivers_redirect_and_which_are_object_stores(driver, redirect, object_store):
    settings = RegistrySettings.from_env({"REGISTRY_STORAGE": driver})
    assert (settings.redirect, settings.object_store) == (redirect, object_store)


def test_disable_redirect_turns_off_even_a_signing_driver():
    settings = RegistrySettings.from_env({"REGISTRY_STORAGE": "s3", "REGISTRY_STORAGE_REDIRECT_DISABLE": "true"})
    assert not settings.redirect and settings.object_store
