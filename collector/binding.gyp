{
  "targets": [
    {
      "target_name": "packetflux_ndpi",
      "sources": ["src/classify/native/packetflux-ndpi.cc"],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")"
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags_cc": ["<!@(pkg-config --cflags libndpi)", "-std=c++17", "-O2", "-Wall", "-Wextra"],
      "cflags_cc!": ["-fno-rtti"],
      "libraries": ["<!@(pkg-config --libs libndpi)"],
      "xcode_settings": {
        "OTHER_CPLUSPLUSFLAGS": ["<!@(pkg-config --cflags libndpi)", "-std=c++17"]
      }
    }
  ]
}
