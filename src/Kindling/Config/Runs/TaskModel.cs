namespace Kindling.Config.Runs;

/// <summary>What a task takes from the recipe's <c>model</c> section.</summary>
public enum TaskModel
{
    /// <summary>The registry model with its classifier head, one output per class of the data (classification, distillation).</summary>
    Classifier,

    /// <summary>The registry model without its head (<c>num_classes: 0</c>, features out): an encoder that the task puts heads on (SimCLR, MoCo).</summary>
    Encoder,

    /// <summary>
    /// No registry model: the task builds its own networks from its own section (a VAE, a GAN's two players). The model
    /// section still carries the data's shape (<c>in_channels</c>, <c>input_size</c>, <c>num_classes</c>), resolved from the data.
    /// </summary>
    Own,
}
