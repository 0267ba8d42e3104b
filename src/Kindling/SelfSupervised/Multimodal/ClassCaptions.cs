using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace Kindling.SelfSupervised.Multimodal;

/// <summary>
/// Short, variable-length descriptions of labelled images, made from their class: a template ("a photo of a {noun}",
/// "{noun} on a plain background", "grey picture : {noun}", ...) filled with one of the class's synonyms (Fashion-MNIST's
/// classes have three each: "sweater", "jumper", "pullover"), so words and word order vary while the meaning is the
/// class. They carry no more than the class: a paired data set built here, for showing two modalities aligned, not
/// real captions. Words are tokens (lower case, split on spaces); token 0 is padding.
/// </summary>
public sealed class ClassCaptions
{
    static readonly Dictionary<string, string[]> FashionSynonyms = new(StringComparer.OrdinalIgnoreCase)
    {
        ["T-shirt/top"] = ["t-shirt", "tee", "top"],
        ["Trouser"] = ["trousers", "pants", "slacks"],
        ["Pullover"] = ["pullover", "sweater", "jumper"],
        ["Dress"] = ["dress", "gown", "frock"],
        ["Coat"] = ["coat", "jacket", "overcoat"],
        ["Sandal"] = ["sandal", "flip-flop", "open shoe"],
        ["Shirt"] = ["shirt", "blouse", "button-up shirt"],
        ["Sneaker"] = ["sneaker", "trainer", "running shoe"],
        ["Bag"] = ["bag", "handbag", "purse"],
        ["Ankle boot"] = ["ankle boot", "boot", "short boot"],
    };

    static readonly string[] Templates =
    [
        "{0}",
        "a {0}",
        "a photo of a {0}",
        "this is a {0}",
        "a small grey picture of a {0} on a plain background",
        "{0} , seen from the front",
        "grey picture : {0}",
        "someone took a picture of this {0}",
        "the {0} in the middle of the image",
        "an image showing one {0}",
    ];

    readonly string[][] nouns;
    readonly Dictionary<string, long> index = new(StringComparer.Ordinal);
    readonly List<string> vocabulary = ["<pad>"];

    /// <param name="classNames">The data set's class names, by label: Fashion-MNIST's get synonyms, others their own name.</param>
    public ClassCaptions(IReadOnlyList<string> classNames)
    {
        if (classNames.Count == 0) throw new ArgumentException("Descriptions are made from class names: the data set must have labels.", nameof(classNames));
        ClassNames = classNames;
        nouns = classNames.Select(c => FashionSynonyms.TryGetValue(c, out var s) ? s : [c.ToLowerInvariant().Replace('_', ' ').Replace('/', ' ')]).ToArray();
        foreach (var t in Templates)
            foreach (var words in nouns.SelectMany(n => n))
                foreach (var word in Words(string.Format(CultureInfo.InvariantCulture, t, words)))
                    if (index.TryAdd(word, vocabulary.Count)) vocabulary.Add(word);
        MaxLength = Templates.Max(t => nouns.SelectMany(n => n).Max(w => Words(string.Format(CultureInfo.InvariantCulture, t, w)).Length));
    }

    /// <summary>The class names, by label.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Every word, by token; token 0 is padding.</summary>
    public IReadOnlyList<string> Vocabulary => vocabulary;

    /// <summary>The longest description, in tokens.</summary>
    public int MaxLength { get; }

    /// <summary>A description of class <paramref name="label"/>: a template and a synonym drawn from <paramref name="rng"/>.</summary>
    public string Caption(int label, Random rng)
    {
        if (label < 0 || label >= nouns.Length) throw new ArgumentOutOfRangeException(nameof(label), label, $"expected a label in [0, {nouns.Length}).");
        var noun = nouns[label][rng.Next(nouns[label].Length)];
        return string.Format(CultureInfo.InvariantCulture, Templates[rng.Next(Templates.Length)], noun);
    }

    /// <summary>Descriptions as tokens [N, <see cref="MaxLength"/>] (int64, 0 after each one's end) and their lengths [N].</summary>
    /// <exception cref="ArgumentException">A word is not in the vocabulary.</exception>
    public (Tensor Tokens, Tensor Lengths) Encode(IReadOnlyList<string> captions)
    {
        var tokens = new long[captions.Count * MaxLength];
        var lengths = new long[captions.Count];
        for (int i = 0; i < captions.Count; i++)
        {
            var words = Words(captions[i]);
            if (words.Length > MaxLength) throw new ArgumentException($"'{captions[i]}' has {words.Length} words; at most {MaxLength}.");
            for (int j = 0; j < words.Length; j++)
                tokens[i * MaxLength + j] = index.TryGetValue(words[j], out var t) ? t
                    : throw new ArgumentException($"'{words[j]}' (in '{captions[i]}') is not in the descriptions' vocabulary.");
            lengths[i] = words.Length;
        }
        return (torch.tensor(tokens, [captions.Count, MaxLength]), torch.tensor(lengths));
    }

    static string[] Words(string text) => text.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
