from . import o2c_demo_vn_story
