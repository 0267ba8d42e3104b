using TorchSharp;

namespace Kindling.Data.Transforms;

/// <summary>Fills a rectangle of an image (torchvision's <c>F.erase</c>), shared by <see cref="RandomErasing"/> and <see cref="Cutout"/>.</summary>
internal static class ImageErase
{
    /// <summary>Writes the box at (top, left) of <paramref name="height"/> x <paramref name="width"/>: one value, one per
    /// channel, or standard normal draws from <paramref name="rng"/>; on a copy unless <paramref name="inplace"/>.</summary>
    public static torch.Tensor Erase(torch.Tensor image, int top, int left, int height, int width, ErasingKind kind, double[] value, bool inplace, Random rng)
    {
        var (c, _, _) = ImageGeometry.Dims(image, "Erase");
        var result = inplace ? image : image.clone();
        if (height <= 0 || width <= 0) return result;
        var box = result.narrow(1, top, height).narrow(2, left, width);
        switch (kind)
        {
            case ErasingKind.Constant:
                box.fill_(value[0]);
                break;
            case ErasingKind.PerChannel:
                if (value.Length != c)
                    throw new ArgumentException($"erasing value has {value.Length} values for an image of {c} channels; give 1 or {c}.");
                using (var v = torch.tensor(value.Select(x => (float)x).ToArray(), dtype: image.dtype, device: image.device))
                    box.copy_(v.view(-1, 1, 1).expand_as(box));
                break;
            default:
                if (!image.is_floating_point())
                    throw new ArgumentException($"random erasing values are normal draws and need a float image, got {image.dtype}; put ToTensor first.");
                var noise = new float[c * height * width];
                rng.FillNormal(noise);
                using (var v = torch.tensor(noise, new long[] { c, height, width }, dtype: image.dtype, device: image.device))
                    box.copy_(v);
                break;
        }
        return result;
    }
}
