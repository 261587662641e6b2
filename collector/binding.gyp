{
  "target_defaults": {
    "include_dirs": [
      "<!(node -p \"require('node-addon-api').include_dir\")"
    ],
    "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
    "cflags_cc": ["-std=c++17", "-O2", "-Wall", "-Wextra"],
    "cflags_cc!": ["-fno-rtti"],
    "xcode_settings": {
      "OTHER_CPLUSPLUSFLAGS": ["-std=c++17"]
    }
  },
  "targets": [
    {
      "target_name": "packetflux_ndpi",
      "sources": ["src/classify/native/packetflux-ndpi.cc"],
      "cflags_cc": ["<!@(pkg-config --cflags libndpi)"],
      "libraries": ["<!@(pkg-config --libs libndpi)"],
      "xcode_settings": {
        "OTHER_CPLUSPLUSFLAGS": ["<!@(pkg-config --cflags libndpi)"]
      }
    },
    {
      "target_name": "packetflux_pcap",
      "sources": ["src/capture/native/packetflux-pcap.cc"],
      "cflags_cc": ["<!@(pkg-config --cflags libpcap)"],
      "libraries": ["<!@(pkg-config --libs libpcap)"]
    }
  ]
}
