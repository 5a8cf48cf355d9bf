from collections import OrderedDict

import pytest

from artkit.errors import PluginError, UnknownNameError
from artkit.registry import Registry


class A:
    """Component A."""


class B:
    pass


def test_get_by_name_and_alias():
    reg = Registry()
    reg.add("loss", "tv", A, plugin="mine", aliases=("total_variation",))
    assert reg.get("loss", "tv").component is A
    assert reg.get("loss", "total_variation").name == "tv"
    assert reg.get("loss", "tv").description == "Component A."


def test_duplicate_name_names_both_plugins():
    reg = Registry()
    reg.add("generator", "pixel", A, plugin="first")
    with pytest.raises(PluginError) as err:
        reg.add("generator", "pixel", B, plugin="second")
    assert "'first'" in str(err.value) and "'second'" in str(err.value)


def test_alias_colliding_with_name_is_a_duplicate():
    reg = Registry()
    reg.add("loss", "clip", A, plugin="first")
    with pytest.raises(PluginError):
        reg.add("loss", "other", B, plugin="second", aliases=("clip",))


def test_same_name_in_different_kinds_is_fine():
    reg = Registry()
    reg.add("loss", "clip", A, plugin="p")
    reg.add("perceptor", "clip", B, plugin="p")
    assert reg.get("perceptor", "clip").component is B


def test_unknown_name_lists_valid_and_suggests():
    reg = Registry()
    reg.add("generator", "pixel", A, plugin="p")
    reg.add("generator", "vqgan", B, plugin="p")
    with pytest.raises(UnknownNameError) as err:
        reg.get("generator", "pixle", where="generator.name")
    message = str(err.value)
    assert message.startswith("generator.name:")
    assert "Did you mean 'pixel'?" in message and "pixel, vqgan" in message


def test_list_filters_by_glob():
    reg = Registry()
    reg.add("loss", "clip", A, plugin="p")
    reg.add("loss", "smoothness", B, plugin="p")
    assert [e.name for e in reg.list("loss", filter="sm*")] == ["smoothness"]


def test_a_reference_is_imported_on_first_use():
    reg = Registry()
    reg.add("loss", "ordered", "collections:OrderedDict", plugin="mine")
    entry = reg.get("loss", "ordered")
    assert entry.target == "collections:OrderedDict"
    assert entry.component is OrderedDict


def test_a_reference_without_a_class_is_refused_at_registration():
    with pytest.raises(PluginError, match="'package.module:ClassName'"):
        Registry().add("loss", "bad", "collections.OrderedDict", plugin="mine")


def test_a_reference_that_fails_to_import_names_the_plugin():
    reg = Registry()
    reg.add("loss", "gone", "no_such_module_xyz:Thing", plugin="mine")
    with pytest.raises(PluginError, match="Plugin 'mine' registered loss 'gone'.*ModuleNotFoundError"):
        _ = reg.get("loss", "gone").component
