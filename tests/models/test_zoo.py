from click.testing import CliRunner

from artkit.cli import cli
from artkit.models.zoo import ZOO, find

ISSUE_NAMES = ["imagenet-f16-1024", "imagenet-f16-16384", "openimages-f8-8192", "wikiart-f16-16384",
               "coco-f16-8192", "faceshq-f16-1024", "sflckr-f16-1024"]  # fmt: skip


def test_the_known_checkpoints_are_all_there():
    assert set(ISSUE_NAMES) <= set(ZOO)
    assert find("gumbel-f8").gumbel and find("VQGAN_IMAGENET_F16_16384").name == "imagenet-f16-16384"
    assert find("nothing") is None


def test_every_entry_has_addresses_and_a_consistent_architecture():
    for model in ZOO.values():
        assert model.urls and all(u.startswith(("https://", "http://")) for u in model.urls)
        factor = 2 ** (len(model.params["ddconfig"]["ch_mult"]) - 1)
        assert factor == (8 if "-f8-" in model.name else 16), model.name
        assert str(model.params["n_embed"]) in model.name


def test_models_list_and_verify_work_offline(tmp_path, monkeypatch):
    monkeypatch.setenv("ARTKIT_CACHE", str(tmp_path))
    listed = CliRunner().invoke(cli, ["models", "list"])
    assert listed.exit_code == 0 and "imagenet-f16-16384" in listed.output and "toy" in listed.output
    verified = CliRunner().invoke(cli, ["models", "verify"])
    assert verified.exit_code == 0 and "No zoo model is in the cache" in verified.output


def test_download_offline_is_a_clean_error(tmp_path, monkeypatch):
    from artkit.models import cache

    monkeypatch.setenv("ARTKIT_CACHE", str(tmp_path))
    monkeypatch.setattr(cache, "_download", lambda url, path, label: (_ for _ in ()).throw(OSError("no network")))
    result = CliRunner().invoke(cli, ["models", "download", "coco"])
    assert result.exit_code != 0 and "coco-f16-8192: cannot download" in result.output
    assert "Traceback" not in result.output
    unknown = CliRunner().invoke(cli, ["models", "download", "imagenett"])
    assert "Did you mean" in unknown.output
