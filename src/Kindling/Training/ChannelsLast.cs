using static TorchSharp.torch;

namespace Kindling.Training;

/// <summary>
/// Channels-last (NHWC) memory for conv models, which TorchSharp has no API for: tensors keep their
/// logical NCHW shape but get NHWC strides (permute, contiguous, permute back), which lets oneDNN
/// pick its faster NHWC kernels. Applied to 4-D weights here; the Trainer and loader do inputs.
/// </summary>
public static class ChannelsLast
{
    /// <summary>Whether a 4-D tensor is laid out NHWC in memory (strides of size-1 dimensions do not matter: one channel is both layouts).</summary>
    public static bool Is(Tensor t)
    {
        if (t.dim() != 4) return false;
        var s = t.stride();
        long c = t.shape[1], h = t.shape[2], w = t.shape[3];
        var expected = new[] { h * w * c, 1, w * c, c };
        for (int d = 0; d < 4; d++)
            if (t.shape[d] > 1 && s[d] != expected[d]) return false;
        return true;
    }

    /// <summary>A channels-last copy of a 4-D tensor (the tensor itself when it already is).</summary>
    public static Tensor Of(Tensor t) => t.dim() != 4 || Is(t) ? t : t.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);

    /// <summary>Gives every 4-D parameter (conv weights) NHWC strides in place; returns how many changed.</summary>
    public static int Apply(nn.Module model)
    {
        int changed = 0;
        using var _ = no_grad();
        foreach (var (_, p) in model.named_parameters())
        {
            if (p.dim() != 4 || Is(p)) continue;
            using var nhwc = Of(p);
            p.set_(nhwc);
            changed++;
        }
        return changed;
    }
}
