"""The baseline artkit is measured against: the classic VQGAN+CLIP loop, written plainly.

One step: snap z to the codebook (straight-through), decode, take the cutouts one by one in a Python
loop (random size and offset, crop, resize to the CLIP input), run the kornia augmentations of the
original notebook on the batch, add noise, normalise, one CLIP forward, spherical distance to the
text embedding, backward, Adam, clamp z to the codebook's range. It uses the same model objects as
artkit's run, so the two differ only in how the step is written.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)


class BaselineLoop:
    """VQGAN+CLIP as the 2021 notebooks run it; ``step()`` does one optimisation step."""

    def __init__(self, vqgan, clip_model, text: Tensor, size: tuple[int, int], cutn: int, device: torch.device) -> None:
        import kornia.augmentation as K

        self.vqgan, self.clip, self.cutn = vqgan, clip_model, cutn
        self.text = F.normalize(text.float(), dim=-1).to(device)
        self.cut_size = (
            clip_model.visual.image_size[0]
            if isinstance(clip_model.visual.image_size, (tuple, list))
            else clip_model.visual.image_size
        )
        width, height = size
        codebook = vqgan.codebook
        tokens = torch.randint(
            len(codebook), ((height // vqgan.downscale) * (width // vqgan.downscale),), device=device
        )
        z = codebook[tokens].T.reshape(1, -1, height // vqgan.downscale, width // vqgan.downscale)
        self.z = z.clone().requires_grad_(True)
        self.z_min = codebook.min(0).values.view(1, -1, 1, 1)
        self.z_max = codebook.max(0).values.view(1, -1, 1, 1)
        self.optimizer = torch.optim.Adam([self.z], lr=0.1)
        self.augment = torch.nn.Sequential(
            K.RandomHorizontalFlip(p=0.5),
            K.RandomAffine(degrees=15, translate=0.1, p=0.7, padding_mode="border"),
            K.RandomPerspective(0.7, p=0.7),
            K.ColorJitter(hue=0.1, saturation=0.1, p=0.7),
        ).to(device)
        self.mean = torch.tensor(CLIP_MEAN, device=device).view(1, 3, 1, 1)
        self.std = torch.tensor(CLIP_STD, device=device).view(1, 3, 1, 1)

    def quantize(self) -> Tensor:
        codebook = self.vqgan.codebook
        flat = self.z.movedim(1, 3)
        distance = flat.pow(2).sum(-1, keepdim=True) + codebook.pow(2).sum(1) - 2 * flat @ codebook.T
        snapped = F.one_hot(distance.argmin(-1), codebook.shape[0]).to(distance.dtype) @ codebook
        return self.z + (snapped.movedim(3, 1) - self.z).detach()

    def cutouts(self, image: Tensor) -> Tensor:
        _, _, height, width = image.shape
        side = min(height, width)
        cuts = []
        for _ in range(self.cutn):
            size = int(torch.rand([]) ** 1.0 * (side - side // 4) + side // 4)
            x = torch.randint(0, width - size + 1, ())
            y = torch.randint(0, height - size + 1, ())
            crop = image[:, :, y : y + size, x : x + size]
            cuts.append(F.adaptive_avg_pool2d(crop, self.cut_size))
        batch = self.augment(torch.cat(cuts))
        return batch + 0.1 * torch.rand(self.cutn, 1, 1, 1, device=batch.device) * torch.randn_like(batch)

    def step(self) -> float:
        image = self.vqgan.decode(self.quantize())
        image = image + (image.clamp(0, 1) - image).detach()
        features = F.normalize(self.clip.encode_image((self.cutouts(image) - self.mean) / self.std).float(), dim=-1)
        distance = (features - self.text).norm(dim=-1).div(2).arcsin().pow(2).mul(2)
        loss = distance.mean()
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        with torch.no_grad():
            self.z.copy_(torch.maximum(torch.minimum(self.z, self.z_max), self.z_min))
        return loss
