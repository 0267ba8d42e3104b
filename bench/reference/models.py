"""The benchmark models in PyTorch, layer for layer as Kindling builds them.

seed-cnn  src/Kindling/Models/SeedCnn.cs   (PyTorch's default init, as the seeds)
resnet18  src/Kindling/Models/ResNet.cs    (CIFAR stem, torchvision BasicBlock layout, Kaiming fan_out init)
fastnet   src/Kindling/Models/FastNet.cs   (width 0.5: stem 16, blocks 32-128-128, GELU, global max pool)

PARAMETERS holds Kindling's counts (from `kindling summary`); build() asserts the PyTorch model has
exactly as many, so both sides of a benchmark run the same network.
"""
import torch
from torch import nn

# (model, classes, in_channels, size) -> parameters, as Kindling counts them.
PARAMETERS = {
    ("seed-cnn", 10, 3, 32): 7_315_402,
    ("resnet18", 10, 3, 32): 11_173_962,
    ("fastnet", 10, 3, 32): 495_952,
    ("fastnet", 10, 1, 28): 495_664,
}


def kaiming_convs_unit_norms(root):
    """Kindling's ModelInit.KaimingConvsUnitNorms: convs Kaiming-normal (fan_out, ReLU gain), norms 1/0."""
    for m in root.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)


class SeedCnn(nn.Module):
    def __init__(self, classes=10, in_channels=3, size=32, drop=0.2):
        super().__init__()
        blocks, c = [], in_channels
        for i, w in enumerate((64, 128, 256, 512)):
            blocks.append((f"block{i + 1}", nn.Sequential(
                nn.Conv2d(c, w, 3, padding=1, bias=False), nn.BatchNorm2d(w), nn.ReLU(inplace=True),
                nn.Conv2d(w, w, 3, padding=1, bias=False), nn.BatchNorm2d(w), nn.ReLU(inplace=True),
                nn.MaxPool2d(2), nn.Dropout(drop))))
            c, size = w, size // 2
        self.features = nn.Sequential(*[b for _, b in blocks])
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(c * size * size, 1024), nn.ReLU(inplace=True), nn.Dropout(drop),
            nn.Linear(1024, 512), nn.ReLU(inplace=True), nn.Dropout(drop), nn.Linear(512, classes))

    def forward(self, x):
        return self.classifier(self.features(x))


class BasicBlock(nn.Module):
    def __init__(self, cin, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.act1 = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None if stride == 1 and cin == planes else nn.Sequential(
            nn.Conv2d(cin, planes, 1, stride=stride, bias=False), nn.BatchNorm2d(planes))
        self.act2 = nn.ReLU(inplace=True)

    def forward(self, x):
        y = self.bn2(self.conv2(self.act1(self.bn1(self.conv1(x)))))
        shortcut = x if self.downsample is None else self.downsample(x)
        return self.act2(y.add_(shortcut))


class ResNet18Cifar(nn.Module):
    def __init__(self, classes=10, in_channels=3):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 64, 3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.act1 = nn.ReLU(inplace=True)
        layers, c = [], 64
        for planes, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
            layers.append(nn.Sequential(BasicBlock(c, planes, stride), BasicBlock(planes, planes, 1)))
            c = planes
        self.layer1, self.layer2, self.layer3, self.layer4 = layers
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(c, classes)
        kaiming_convs_unit_norms(self)

    def forward(self, x):
        x = self.act1(self.bn1(self.conv1(x)))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


class FastNet(nn.Module):
    def __init__(self, classes=10, in_channels=3, width=0.5):
        super().__init__()
        def scale(w):  # C#'s Math.Round and Python's round both round half to even
            return max(8, int(round(w * width / 8)) * 8)
        stem = scale(24)
        layers = [nn.Sequential(nn.Conv2d(in_channels, stem, 3, padding=1, bias=False), nn.BatchNorm2d(stem), nn.GELU())]
        c = stem
        for w in (scale(64), scale(256), scale(256)):
            layers.append(nn.Sequential(
                nn.Conv2d(c, w, 3, padding=1, bias=False), nn.MaxPool2d(2), nn.BatchNorm2d(w), nn.GELU(),
                nn.Conv2d(w, w, 3, padding=1, bias=False), nn.BatchNorm2d(w), nn.GELU()))
            c = w
        layers += [nn.AdaptiveMaxPool2d((1, 1)), nn.Flatten()]
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(c, classes, bias=False)
        kaiming_convs_unit_norms(self)

    def forward(self, x):
        return self.head(self.body(x))


NAMES = ("seed-cnn", "resnet18", "fastnet")


def build(name, classes=10, in_channels=3, size=32):
    if name == "seed-cnn":
        model = SeedCnn(classes, in_channels, size)
    elif name == "resnet18":
        model = ResNet18Cifar(classes, in_channels)
    elif name == "fastnet":
        model = FastNet(classes, in_channels)
    else:
        raise SystemExit(f"--model {name!r} is not a benchmark model: expected one of {', '.join(NAMES)}")
    count = sum(p.numel() for p in model.parameters())
    expected = PARAMETERS.get((name, classes, in_channels, size))
    assert expected is None or count == expected, f"{name}: {count} parameters, Kindling's has {expected}"
    return model


def macs(model, shape):
    """Multiply-accumulates of one image through the convolutions and linear layers (what Kindling's summary counts)."""
    total = 0

    def hook(m, inputs, out):
        nonlocal total
        if isinstance(m, nn.Conv2d):
            total += out.numel() // out.shape[0] * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]
        elif isinstance(m, nn.Linear):
            total += out.numel() // out.shape[0] * m.in_features
    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    was = model.training
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, *shape))
    model.train(was)
    for h in handles:
        h.remove()
    return total
