import pytest
import torch
import yaml
from artkit_plugins.generators.vqgan import VQGANGenerator
from PIL import Image

import artkit
from artkit.models.loading import TOY_WEIGHTS
from artkit.models.vqgan import TOY_CONFIG


def make(size=(32, 32), seed=0, **options):
    torch.manual_seed(seed)
    return VQGANGenerator(VQGANGenerator.Config(**{"model": "toy", **options}), artkit.RunInfo(size=size))


def test_latent_is_one_code_per_block_and_snapped_to_the_codebook():
    generator = make(size=(48, 32))
    assert generator.z.shape == (1, TOY_CONFIG["embed_dim"], 4, 6)
    codes = generator.codebook
    nearest_code = torch.cdist(generator.z[0].flatten(1).T, codes).min(dim=1).values
    assert nearest_code.max() < 5e-3  # noise init: real codes (cdist rounds)


def test_init_image_goes_through_the_encoder(tmp_path):
    path = tmp_path / "half.png"
    image = Image.new("RGB", (32, 32), (230, 30, 30))
    image.paste((30, 30, 230), (16, 0, 32, 32))
    image.save(path)
    drawn = make(init_image=str(path))()
    assert drawn[0, 0, :, :12].mean() > drawn[0, 2, :, :12].mean() + 0.15  # red half (the toy model is soft)
    assert drawn[0, 2, :, 20:].mean() > drawn[0, 0, :, 20:].mean() + 0.15  # blue half


def test_project_keeps_z_in_the_codebook_range():
    generator = make()
    with torch.no_grad():
        generator.z.add_(100.0)
    generator.project()
    assert torch.all(generator.z <= generator.z_max + 1e-6)


def test_decoder_is_not_optimised_or_saved():
    generator = make()
    assert [name for name, _ in generator.named_parameters()] == ["z"]
    assert list(generator.state_dict()) == ["z"]


def test_size_must_fit_the_downscale():
    with pytest.raises(artkit.ConfigError, match="multiple of 8"):
        make(size=(36, 32))


def test_own_config_and_checkpoint_files(tmp_path):
    from safetensors.torch import load_file

    weights = {k: v.float() for k, v in load_file(str(TOY_WEIGHTS)).items()}
    torch.save({"state_dict": {**weights, "loss.discriminator.w": torch.ones(1)}}, tmp_path / "last.ckpt")
    config = {"model": {"target": "taming.models.vqgan.VQModel", "params": TOY_CONFIG}}
    (tmp_path / "model.yaml").write_text(yaml.safe_dump(config))
    own = make(config=str(tmp_path / "model.yaml"), checkpoint=str(tmp_path / "last.ckpt"), init="red")()
    shipped = make(init="red")()
    assert torch.allclose(own, shipped, atol=1e-5)


def test_unknown_model_and_half_given_files(tmp_path):
    with pytest.raises(artkit.ConfigError, match="unknown VQGAN model 'imagenett'.*Did you mean"):
        make(model="imagenett")
    with pytest.raises(artkit.ConfigError, match="give both `config`"):
        make(config=str(tmp_path / "model.yaml"))
    (tmp_path / "bad.yaml").write_text("model: {params: {}}")
    with pytest.raises(artkit.ConfigError, match="not a taming-transformers model config"):
        make(config=str(tmp_path / "bad.yaml"), checkpoint=str(tmp_path / "x.ckpt"))


def test_zoo_model_offline_fails_clearly(tmp_path, monkeypatch):
    from artkit.errors import ModelUnavailableError
    from artkit.models import cache

    monkeypatch.setenv("ARTKIT_CACHE", str(tmp_path))
    monkeypatch.setattr(cache, "_download", lambda url, path, label: (_ for _ in ()).throw(OSError("offline")))
    with pytest.raises(ModelUnavailableError, match="imagenet-f16-1024: cannot download the weights"):
        make(model="imagenet-f16-1024", size=(32, 32))


def test_a_cached_model_does_not_change_what_the_seed_draws():
    from artkit.models import loading

    loading._build.cache_clear()
    loading._cast.cache_clear()
    first = make(seed=5)()  # builds and caches the model
    second = make(seed=5)()  # uses the cached one
    assert torch.equal(first, second)


def test_zoo_model_uses_its_downloaded_config(tmp_path, monkeypatch):
    """With the checkpoint and the published config in the cache, the config decides the architecture."""
    from safetensors.torch import load_file

    from artkit.models import zoo

    weights = {k: v.float() for k, v in load_file(str(TOY_WEIGHTS)).items()}
    entry = zoo.ZooModel("tiny-f8-128", "test entry", zoo._f16(16), ("https://example.invalid/x.ckpt",),
                         ("https://example.invalid/x.yaml",))  # fmt: skip
    monkeypatch.setitem(zoo.ZOO, entry.name, entry)
    monkeypatch.setenv("ARTKIT_CACHE", str(tmp_path))
    torch.save({"state_dict": weights}, tmp_path / entry.filename)
    config = {"model": {"target": "taming.models.vqgan.VQModel", "params": TOY_CONFIG}}
    (tmp_path / entry.config_filename).write_text(yaml.safe_dump(config))
    drawn = make(model="tiny-f8-128", init="red")()
    assert torch.allclose(drawn, make(init="red")(), atol=1e-5)  # the entry's own f16 copy would not even load


def test_checkpointed_decoder_gives_the_same_image_and_gradient():
    plain, checkpointed = make(seed=3), make(seed=3, checkpoint_decoder=True)
    images = [g() for g in (plain, checkpointed)]
    torch.testing.assert_close(images[1], images[0])
    for image in images:
        (image * torch.linspace(0, 1, image.numel()).view_as(image)).sum().backward()
    assert plain.z.grad.abs().sum() > 0
    torch.testing.assert_close(checkpointed.z.grad, plain.z.grad)
