"""generate's options and the agent's parameters become one VideoInput through one constructor
(``VideoInput.from_mapping``): the same values make the same input."""

from __future__ import annotations

from dataclasses import replace

from jimeng_tui.agent.inputs import GenerateArgs
from jimeng_tui.agent.inputs import video_input as agent_input
from jimeng_tui.cli.generation_options import video_input as cli_input
from jimeng_tui.cli.parser import build_parser
from jimeng_tui.domain.request import VideoInput
from jimeng_tui.session.services import register_builtin

MODEL = "doubao-seedance-2-0-260128"


def test_generate_and_the_agent_make_the_same_input_from_the_same_values():
    register_builtin()
    argv = ["generate", "A kite over dunes", "--model", MODEL, "--aspect-ratio", "9:16"]
    argv += ["--resolution", "720p", "--duration", "5", "--fps", "24", "--seed", "7"]
    argv += ["--image", "first.jpg", "--tail-image", "last.jpg"]
    argv += ["--reference-image", "r1.png", "--reference-image", "r2.png", "--audio"]
    ns = build_parser("generate").parse_args(argv)
    from_cli = cli_input(ns, MODEL)
    from_agent = agent_input(
        GenerateArgs(
            prompt="A kite over dunes",
            model=MODEL,
            aspect_ratio="9:16",
            resolution="720p",
            duration=5,
            fps=24,
            seed=7,
            image="first.jpg",
            tail_image="last.jpg",
            reference_images=["r1.png", "r2.png"],
            options={"generate_audio": True},
        ),
        default_model="t2v_720p",
    )
    assert from_cli.ratio == "9:16" and from_cli.last_image == "last.jpg"
    assert from_cli.reference_images == ("r1.png", "r2.png")
    assert from_cli.options == {"generate_audio": True}
    # only the names an image error is reported under differ (--image vs the tool's "image")
    assert replace(from_cli, image_fields=from_agent.image_fields) == from_agent


def test_from_mapping_takes_the_faces_names_and_leaves_the_rest():
    made = VideoInput.from_mapping(
        {"prompt": "A heron", "aspect_ratio": "1:1", "fps": None, "json": True, "mode": "x"},
        model="t2v_720p",
    )
    assert made == VideoInput(prompt="A heron", model="t2v_720p", ratio="1:1")
